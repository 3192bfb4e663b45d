package io.fleetjobs.server.jobs.fleet;

import io.fleetjobs.server.jobs.Job;
import io.fleetjobs.server.jobs.JobRepository;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.JobStepRepository;
import io.fleetjobs.server.targetgroups.GroupExpander;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * A job's fleet state: its steps' target groups expanded as the previews expand them (so a member that cannot be
 * listed is reported, not hidden), each group once however many steps use it, then classified against the job's
 * history by {@link FleetStateRepository}. What the groups brought in (10,000 databases and more) is put together on
 * a worker: the event loop only waits for it.
 */
public final class FleetStateReader {
  /** The collaborators, and the Vert.x whose workers put the expansions together. */
  public record Dependencies(JobRepository jobs, JobStepRepository steps, GroupExpander expander,
                             FleetStateRepository fleet, Vertx vertx) {
  }

  /** A page of the fleet, with what the expansion could not list. */
  public record Result(Job job, List<JobStep> steps, FleetStateRepository.Fleet fleet, JsonArray memberErrors) {
  }

  private final Dependencies dependencies;

  public FleetStateReader(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  public Future<Result> read(String jobName, FleetFilter filter) {
    return dependencies.jobs().get(jobName)
      .compose(job -> dependencies.steps().list(jobName, null)
        .compose(steps -> expand(steps)
          .compose(expanded -> dependencies.fleet().page(job.jobId(), job.version(),
            steps.stream().map(JobStep::name).toList(), expanded.now(), filter)
            .map(fleet -> new Result(job, steps, fleet, expanded.memberErrors())))));
  }

  private record Expanded(FleetStateRepository.Expanded now, JsonArray memberErrors) {
  }

  private Future<Expanded> expand(List<JobStep> steps) {
    Map<UUID, List<JobStep>> byGroup = new LinkedHashMap<>();
    steps.forEach(step -> byGroup.computeIfAbsent(step.targetGroupId(), id -> new ArrayList<>()).add(step));
    List<UUID> groups = List.copyOf(byGroup.keySet());
    List<Future<GroupExpander.Expansion>> expansions = groups.stream()
      .map(id -> dependencies.expander().expand(id))
      .toList();
    return Future.all(expansions).compose(all -> dependencies.vertx().executeBlocking(() -> {
      List<ResolvedTarget> targets = new ArrayList<>();
      Set<String> unlisted = new LinkedHashSet<>();
      JsonArray errors = new JsonArray();
      for (int i = 0; i < groups.size(); i++) {
        GroupExpander.Expansion expansion = expansions.get(i).result();
        List<JobStep> using = byGroup.get(groups.get(i));
        targets.addAll(expansion.targets());
        for (GroupExpander.MemberFailure failure : expansion.failures()) {
          unlisted.add(failure.serverKey());
          errors.add(new JsonObject()
            .put("targetGroup", using.get(0).targetGroup())
            .put("stepNames", new JsonArray(using.stream().map(JobStep::name).toList()))
            .put("member", failure.member().toJson())
            .put("error", failure.message()));
        }
      }
      return new Expanded(FleetStateRepository.Expanded.of(targets, unlisted), errors);
    }, false));
  }
}
