package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.JobStepRepository;
import io.fleetjobs.server.jobs.dispatch.StepExpander;
import io.fleetjobs.server.targetgroups.TargetGroupRepository;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.List;
import java.util.Map;

/**
 * The databases a run would hit right now, per step, and the credential each would use: the group is
 * expanded exactly as a starting step expands it. A server that cannot be enumerated shows its error.
 */
public final class TargetsPreviewApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of("job_name", "name", "step_name", "stepName"));
  private final JobStepRepository steps;
  private final TargetGroupRepository groups;
  private final StepExpander expander;

  public TargetsPreviewApi(JobStepRepository steps, TargetGroupRepository groups, StepExpander expander) {
    this.steps = steps;
    this.groups = groups;
    this.expander = expander;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("previewJobTargets").addHandler(Endpoint.of(FIELDS, ctx -> steps.list(pathParam(ctx, "name"), null)
      .compose(list -> Future.all(list.stream().map(this::preview).toList()))
      .map(all -> Reply.list(all.<JsonObject>list()))));
    builder.getRoute("previewStepTargets").addHandler(Endpoint.of(FIELDS, ctx ->
      steps.get(pathParam(ctx, "name"), null, pathParam(ctx, "stepName"))
        .compose(this::preview)
        .map(Reply::ok)));
    builder.getRoute("previewTargetGroupTargets").addHandler(Endpoint.of(FIELDS, ctx ->
      groups.get(pathParam(ctx, "name"))
        .compose(group -> withTargets(new JsonObject().put("targetGroup", group.name()), expander.expand(group)
          .map(targets -> targets.stream().map(this::entry).toList())))
        .map(Reply::ok)));
  }

  private Future<JsonObject> preview(JobStep step) {
    JsonObject json = new JsonObject()
      .put("stepId", step.stepId())
      .put("stepName", step.name())
      .put("targetGroup", step.targetGroup())
      .put("credential", step.credential());
    return withTargets(json, expander.expand(step.targetGroupId())
      .map(targets -> targets.stream().map(target -> entry(target).put("credential", step.credential())).toList()));
  }

  /** A target, and how this agent would authenticate on it (SqlLogin, or its Entra identity). */
  private JsonObject entry(ResolvedTarget target) {
    return target.toJson().put("authentication", expander.authentication(target.engine()));
  }

  /** The expansion's targets, or its error (a server that cannot be enumerated) beside no targets. */
  private static Future<JsonObject> withTargets(JsonObject json, Future<List<JsonObject>> expansion) {
    return expansion
      .map(targets -> json.put("targets", new JsonArray(targets)).putNull("error"))
      .otherwise(e -> json.put("targets", new JsonArray()).put("error", e.getMessage()));
  }
}
