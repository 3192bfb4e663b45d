package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.http.BearerTokenHandler;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.executions.ExecutionFilter;
import io.fleetjobs.server.jobs.executions.ExecutionNode;
import io.fleetjobs.server.jobs.executions.ExecutionRepository;
import io.fleetjobs.server.jobs.executions.ExecutionStatsRepository;
import io.fleetjobs.server.jobs.executions.RolloutRepository;
import io.fleetjobs.server.jobs.executions.TargetFilter;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.TargetDrivers;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * Starting, cancelling, reading and purging executions, shaped like the Azure job execution API; dry runs, and
 * resuming or aborting a paused rollout, are fleetjobs' own.
 */
public final class ExecutionsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of(
    "job_name", "name",
    "job_execution_id", "id"));

  private final ExecutionRepository executions;
  private final ExecutionStatsRepository stats;
  private final RolloutRepository rollouts;
  private final TargetDrivers drivers;
  private final Vertx vertx;

  public ExecutionsApi(ExecutionRepository executions, ExecutionStatsRepository stats, RolloutRepository rollouts,
                       TargetDrivers drivers, Vertx vertx) {
    this.executions = executions;
    this.stats = stats;
    this.rollouts = rollouts;
    this.drivers = drivers;
    this.vertx = vertx;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("startJob").addHandler(Endpoint.of(FIELDS, this::start));
    builder.getRoute("putJobExecution").addHandler(Endpoint.of(FIELDS, this::startWithId));
    builder.getRoute("cancelJobExecution").addHandler(Endpoint.of(FIELDS, this::cancel));
    builder.getRoute("rerunFailedTargets").addHandler(Endpoint.of(FIELDS, this::rerunFailed));
    builder.getRoute("resumeJobExecution").addHandler(Endpoint.of(FIELDS, this::resume));
    builder.getRoute("abortJobExecution").addHandler(Endpoint.of(FIELDS, this::abort));
    builder.getRoute("getExecution").addHandler(Endpoint.of(FIELDS,
      ctx -> executions.get(null, executionId(ctx)).map(execution -> Reply.ok(execution.toJson()))));
    builder.getRoute("getExecutionStats").addHandler(Endpoint.of(FIELDS, this::stats));
    builder.getRoute("getJobExecution").addHandler(Endpoint.of(FIELDS, this::get));
    builder.getRoute("listJobExecutions").addHandler(Endpoint.of(FIELDS, ctx -> list(ctx, pathParam(ctx, "name"))));
    builder.getRoute("listExecutions").addHandler(Endpoint.of(FIELDS, ctx -> list(ctx, null)));
    builder.getRoute("purgeJobExecutions").addHandler(Endpoint.of(FIELDS, this::purge));
    builder.getRoute("listStepExecutions").addHandler(Endpoint.of(FIELDS, ctx -> steps(ctx, null)));
    builder.getRoute("getStepExecution").addHandler(Endpoint.of(FIELDS, this::step));
    builder.getRoute("listStepTargetExecutions").addHandler(Endpoint.of(FIELDS,
      ctx -> targets(ctx, pathParam(ctx, "stepName"))));
    builder.getRoute("listTargetExecutions").addHandler(Endpoint.of(FIELDS, ctx -> targets(ctx, null)));
  }

  private Future<Reply> start(RoutingContext ctx) {
    String job = pathParam(ctx, "name");
    JsonObject body = optionalBody(ctx);
    return executions.start(job, UUID.randomUUID(), "Manual", null, body.getBoolean("dryRun", false))
      .compose(started -> executions.get(job, started.jobExecutionId()))
      .map(execution -> new Reply(202, execution.toJson(), location(ctx, job, execution.jobExecutionId())))
      .onSuccess(started -> wakeDispatchers());
  }

  private Future<Reply> startWithId(RoutingContext ctx) {
    String job = pathParam(ctx, "name");
    UUID id = executionId(ctx);
    return executions.start(job, id, "Manual", null)
      .compose(started -> executions.get(job, id)
        .map(execution -> new Reply(started.created() ? 201 : 200, execution.toJson(), location(ctx, job, id))))
      .onSuccess(started -> wakeDispatchers());
  }

  private Future<Reply> rerunFailed(RoutingContext ctx) {
    String job = pathParam(ctx, "name");
    // Without a body, or without jobVersion, the rerun runs the job's current version.
    Integer jobVersion = optionalBody(ctx).getInteger("jobVersion");
    return executions.rerunFailed(job, executionId(ctx), jobVersion)
      .compose(id -> executions.get(job, id))
      .map(execution -> new Reply(202, execution.toJson(), location(ctx, job, execution.jobExecutionId())))
      .onSuccess(started -> wakeDispatchers());
  }

  private Future<Reply> resume(RoutingContext ctx) {
    JsonObject errorBudget = optionalBody(ctx).getJsonObject("errorBudget");
    String resumedBy = BearerTokenHandler.caller(ctx).name();
    return steer(ctx, (job, id) -> rollouts.resume(job, id, errorBudget, resumedBy)
      .compose(resumed -> resumed ? Future.succeededFuture() : Future.failedFuture(new Conflict("id",
        "The execution is not Paused: only a paused execution can be resumed."))));
  }

  private Future<Reply> abort(RoutingContext ctx) {
    return steer(ctx, rollouts::abort);
  }

  /** Changes a running execution, answers with it as it now is, and lets the dispatchers act on it at once. */
  private Future<Reply> steer(RoutingContext ctx, BiFunction<String, UUID, Future<?>> change) {
    String job = pathParam(ctx, "name");
    UUID id = executionId(ctx);
    return change.apply(job, id)
      .compose(changed -> executions.get(job, id))
      .map(execution -> Reply.ok(execution.toJson()))
      .onSuccess(changed -> wakeDispatchers());
  }

  /** An optional JSON body, as validated by the contract: empty when absent. */
  private static JsonObject optionalBody(RoutingContext ctx) {
    RequestParameter body = Endpoint.validated(ctx).getBody();
    return body == null || body.isNull() ? new JsonObject() : body.getJsonObject();
  }

  private Future<Reply> stats(RoutingContext ctx) {
    String interval = Endpoint.queryString(ctx, "interval");
    return stats.series(interval == null ? ExecutionStatsRepository.Interval.PT1H
        : ExecutionStatsRepository.Interval.valueOf(interval), Instant.now())
      .map(Reply::ok);
  }

  private Future<Reply> cancel(RoutingContext ctx) {
    return steer(ctx, executions::cancel);
  }

  private Future<Reply> get(RoutingContext ctx) {
    return executions.get(pathParam(ctx, "name"), executionId(ctx)).map(execution -> Reply.ok(execution.toJson()));
  }

  private Future<Reply> list(RoutingContext ctx, String job) {
    ExecutionFilter filter = filter(ctx, job);
    return executions.list(filter)
      .map(page -> Reply.page(ctx, page.map(ExecutionNode::toJson), filter.top(), filter.skip()));
  }

  private Future<Reply> steps(RoutingContext ctx, String stepName) {
    String job = pathParam(ctx, "name");
    return executions.steps(job, executionId(ctx), stepName, filter(ctx, job)).map(ExecutionsApi::listReply);
  }

  private Future<Reply> step(RoutingContext ctx) {
    String job = pathParam(ctx, "name");
    String stepName = pathParam(ctx, "stepName");
    return executions.steps(job, executionId(ctx), stepName, filter(ctx, job))
      .compose(found -> found.isEmpty()
        ? Future.failedFuture(new NotFound("stepName", "The execution has no step '" + stepName + "' (yet)."))
        : Future.succeededFuture(Reply.ok(found.get(0).toJson())));
  }

  private Future<Reply> targets(RoutingContext ctx, String stepName) {
    String job = pathParam(ctx, "name");
    ExecutionFilter filter = filter(ctx, job);
    TargetFilter targets = TargetQuery.filter(ctx, filter);
    return executions.targets(job, executionId(ctx), stepName, targets)
      .map(counted -> Reply.counted(ctx, counted.page().map(this::withAuthentication), filter.top(), filter.skip(),
        counted.total(), counted.next(), targets.after() != null));
  }

  /**
   * A target row, with how this agent authenticates there: SqlLogin, or an Entra identity (the agent's own on
   * sqlserver, and on a postgresql member that asked for it).
   */
  private JsonObject withAuthentication(ExecutionNode target) {
    JsonObject json = target.toJson();
    ExecutionNode.Target where = target.target();
    json.getJsonObject("target")
      .put("authentication", drivers.forEngine(where.engine())
        .authentication(new ConnectionSettings(false, where.sslMode(), where.authentication())));
    return json;
  }

  private Future<Reply> purge(RoutingContext ctx) {
    String job = pathParam(ctx, "name");
    Instant oldest = time(ctx, "oldestDate");
    return executions.purge(job, oldest).map(deleted -> Reply.ok(new JsonObject().put("deleted", deleted)));
  }

  private void wakeDispatchers() {
    vertx.eventBus().publish(Addresses.DISPATCH_WAKE, null);
  }

  private static ExecutionFilter filter(RoutingContext ctx, String job) {
    RequestParameter active = Endpoint.validated(ctx).getQuery().get("isActive");
    return new ExecutionFilter(job,
      time(ctx, "createTimeMin"), time(ctx, "createTimeMax"), time(ctx, "endTimeMin"), time(ctx, "endTimeMax"),
      active == null || active.isNull() ? null : active.getBoolean(),
      Endpoint.queryString(ctx, "lifecycle"),
      Endpoint.top(ctx), Endpoint.skip(ctx));
  }

  private static Instant time(RoutingContext ctx, String name) {
    return Endpoint.queryTime(ctx, name);
  }

  private static UUID executionId(RoutingContext ctx) {
    return Endpoint.pathUuid(ctx, "id", "a job execution id");
  }

  private static String location(RoutingContext ctx, String job, UUID id) {
    return "/api/v1/jobs/" + URLEncoder.encode(job, StandardCharsets.UTF_8).replace("+", "%20") + "/executions/" + id;
  }

  private static Reply listReply(List<ExecutionNode> nodes) {
    return Reply.list(nodes.stream().map(ExecutionNode::toJson).toList());
  }
}
