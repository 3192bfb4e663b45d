package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.JobStepRepository;
import io.fleetjobs.server.targetgroups.GroupExpander;
import io.fleetjobs.server.targetgroups.TargetGroup;
import io.fleetjobs.server.targetgroups.TargetGroupRepository;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The databases a run would hit right now, per step, and the credential each would use: the group is
 * expanded exactly as a starting step expands it. A server that cannot be enumerated shows its error. A preview
 * lists every database (10,000 and more), so it is written out and encoded on workers.
 */
public final class TargetsPreviewApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of("job_name", "name", "step_name", "stepName"));
  private final JobStepRepository steps;
  private final TargetGroupRepository groups;
  private final GroupExpander expander;

  public TargetsPreviewApi(JobStepRepository steps, TargetGroupRepository groups, GroupExpander expander) {
    this.steps = steps;
    this.groups = groups;
    this.expander = expander;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("previewJobTargets").addHandler(Endpoint.of(FIELDS, ctx -> steps.list(pathParam(ctx, "name"), null)
      .compose(list -> Future.all(list.stream().map(step -> preview(ctx.vertx(), step)).toList()))
      .map(all -> Reply.list(all.<JsonObject>list()).asBulky())));
    builder.getRoute("previewStepTargets").addHandler(Endpoint.of(FIELDS, ctx ->
      steps.get(pathParam(ctx, "name"), null, pathParam(ctx, "stepName"))
        .compose(step -> preview(ctx.vertx(), step))
        .map(json -> Reply.ok(json).asBulky())));
    builder.getRoute("previewTargetGroupTargets").addHandler(Endpoint.of(FIELDS, ctx ->
      groups.get(pathParam(ctx, "name"))
        .compose(group -> expander.expand(group)
          .compose(expansion -> ctx.vertx().executeBlocking(() -> withExpansion(new JsonObject()
            .put("targetGroup", group.name()), group, expansion, null), false)))
        .map(json -> Reply.ok(json).asBulky())));
  }

  private Future<JsonObject> preview(Vertx vertx, JobStep step) {
    JsonObject json = new JsonObject()
      .put("stepId", step.stepId())
      .put("stepName", step.name())
      .put("targetGroup", step.targetGroup())
      .put("credential", step.credential());
    return groups.byId(step.targetGroupId())
      .compose(group -> expander.expand(group)
        .compose(expansion -> vertx.executeBlocking(() -> withExpansion(json, group, expansion, step.credential()),
          false)));
  }

  /**
   * The databases a run would hit, and every member with its own status: how many databases it listed, or why
   * it could not be listed; and the server spellings merged into an earlier one.
   */
  private JsonObject withExpansion(JsonObject json, TargetGroup group, GroupExpander.Expansion expansion,
                                   String credential) {
    JsonArray targets = new JsonArray(expansion.targets().stream()
      .map(target -> {
        JsonObject entry = target.toJson().put("authentication", expander.authentication(target));
        return credential == null ? entry : entry.put("credential", credential);
      })
      .toList());
    Map<UUID, String> failed = new HashMap<>();
    expansion.failures().forEach(failure -> failed.put(failure.member().targetId(), failure.message()));
    JsonArray members = new JsonArray(group.members().stream()
      .map(member -> {
        JsonObject entry = member.toJson();
        if (!member.isInclude()) {
          return entry.put("status", "Excluded");
        }
        String error = failed.get(member.targetId());
        return error != null
          ? entry.put("status", "Failed").put("error", error)
          : entry.put("status", "Listed").put("databases", expansion.listed().get(member.targetId()));
      })
      .toList());
    JsonArray merged = new JsonArray(expansion.merges().stream()
      .map(merge -> new JsonObject().put("serverName", merge.serverName()).put("sameAs", merge.sameAs()))
      .toList());
    return json
      .put("targets", targets)
      .put("members", members)
      .put("merged", merged)
      // Each member that could not be listed, one per line: its databases are missing from the targets.
      .put("error", expansion.failures().isEmpty() ? null : expansion.failures().stream()
        .map(GroupExpander.MemberFailure::message)
        .collect(Collectors.joining("\n")));
  }
}
