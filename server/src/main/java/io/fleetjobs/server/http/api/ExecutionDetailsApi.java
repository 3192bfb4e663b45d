package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.executions.ExecutionRepository;
import io.fleetjobs.server.jobs.executions.ExecutionSummaryRepository;
import io.fleetjobs.server.jobs.executions.FailureGroup;
import io.fleetjobs.server.jobs.executions.FailureGroupRepository;
import io.fleetjobs.server.jobs.executions.TargetAttempt;
import io.fleetjobs.server.jobs.executions.ExecutionSummary;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What the execution page reads besides the tree: where an execution stands (summary), why its targets failed
 * (failure groups), and the story of one target (its attempts).
 */
public final class ExecutionDetailsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of(
    "job_name", "name",
    "job_execution_id", "id"));

  private final ExecutionRepository executions;
  private final ExecutionSummaryRepository summaries;
  private final FailureGroupRepository failures;

  public ExecutionDetailsApi(ExecutionRepository executions, ExecutionSummaryRepository summaries,
                             FailureGroupRepository failures) {
    this.executions = executions;
    this.summaries = summaries;
    this.failures = failures;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("getExecutionSummary").addHandler(Endpoint.of(FIELDS, this::summary));
    builder.getRoute("listFailureGroups").addHandler(Endpoint.of(FIELDS, this::failureGroups));
    builder.getRoute("listTargetAttempts").addHandler(Endpoint.of(FIELDS, this::attempts));
  }

  private Future<Reply> summary(RoutingContext ctx) {
    UUID id = executionId(ctx);
    return executions.get(pathParam(ctx, "name"), id)
      .compose(execution -> summaries.summaries(List.of(id))
        .map(found -> {
          ExecutionSummary summary = found.get(id);
          return Reply.ok(summary.toJson(execution.isActive())
            .put("jobName", execution.jobName())
            .put("lifecycle", execution.lifecycle())
            .put("isActive", execution.isActive()));
        }));
  }

  private Future<Reply> failureGroups(RoutingContext ctx) {
    String job = pathParam(ctx, "name");
    UUID id = executionId(ctx);
    String step = Endpoint.queryString(ctx, "stepName");
    int top = Endpoint.top(ctx);
    int skip = Endpoint.skip(ctx);
    return executions.get(job, id)
      .compose(execution -> failures.groups(id, step, top, skip))
      .map(groups -> {
        Reply reply = Reply.counted(ctx, groups.page().map(group -> withTargetsLink(job, id, group)), top, skip,
          groups.groups());
        reply.body().put("failedTargets", groups.failedTargets());
        return reply;
      });
  }

  /** A group's databases, all of them, are a page of the target list away. */
  private static JsonObject withTargetsLink(String job, UUID id, FailureGroup group) {
    return group.toJson().put("targetsLink", "/api/v1/jobs/" + encode(job) + "/executions/" + id
      + "/targets?failureGroup=" + group.failureGroup() + "&sort=name");
  }

  private Future<Reply> attempts(RoutingContext ctx) {
    UUID target = Endpoint.pathUuid(ctx, "targetExecutionId", "a target execution id");
    return executions.attempts(pathParam(ctx, "name"), executionId(ctx), target)
      .map(found -> Reply.list(found.stream().map(TargetAttempt::toJson).toList()));
  }

  private static UUID executionId(RoutingContext ctx) {
    return Endpoint.pathUuid(ctx, "id", "a job execution id");
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
