package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.body;
import static io.fleetjobs.server.http.Endpoint.pathInt;
import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldMapping;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.JobStepRepository;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.List;
import java.util.Map;

/** /jobs/{name}/steps and the steps of past versions. Every change makes a new job version. */
public final class JobStepsApi {
  private static final FieldMapping STEP = FieldMapping.of(
    "targetGroup", "target_group_name",
    "credential", "credential_name",
    "action.type", "command_type",
    "action.source", "command_source",
    "action.value", "command",
    "executionOptions.timeoutSeconds", "step_timeout_seconds",
    "executionOptions.retryAttempts", "retry_attempts",
    "executionOptions.initialRetryIntervalSeconds", "initial_retry_interval_seconds",
    "executionOptions.maximumRetryIntervalSeconds", "maximum_retry_interval_seconds",
    "executionOptions.retryIntervalBackoffMultiplier", "retry_interval_backoff_multiplier",
    "executionOptions.retryOn", "retry_on",
    "executionOptions.transaction", "transaction",
    "output.type", "output_type",
    "output.engine", "output_engine",
    "output.sslMode", "output_ssl_mode",
    "output.serverName", "output_server_name",
    "output.databaseName", "output_database_name",
    "output.schemaName", "output_schema_name",
    "output.tableName", "output_table_name",
    "output.credential", "output_credential_name",
    "maxParallelism", "max_parallelism",
    "rollout", "rollout");
  private static final FieldNames FIELDS = STEP.names(Map.of(
    "job_name", "name",
    "step_name", "stepName",
    "step_id", "stepId"));

  private final JobStepRepository steps;

  public JobStepsApi(JobStepRepository steps) {
    this.steps = steps;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listJobSteps").addHandler(Endpoint.of(FIELDS, ctx -> list(ctx, null)));
    builder.getRoute("getJobStep").addHandler(Endpoint.of(FIELDS, ctx -> get(ctx, null)));
    builder.getRoute("putJobStep").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteJobStep").addHandler(Endpoint.of(FIELDS, this::delete));
    builder.getRoute("listJobVersionSteps").addHandler(Endpoint.of(FIELDS, ctx -> list(ctx, pathInt(ctx, "version"))));
    builder.getRoute("getJobVersionStep").addHandler(Endpoint.of(FIELDS, ctx -> get(ctx, pathInt(ctx, "version"))));
  }

  private Future<Reply> list(RoutingContext ctx, Integer version) {
    return steps.list(pathParam(ctx, "name"), version).map(JobStepsApi::listReply);
  }

  private Future<Reply> get(RoutingContext ctx, Integer version) {
    return steps.get(pathParam(ctx, "name"), version, pathParam(ctx, "stepName"))
      .map(step -> Reply.ok(step.toJson()));
  }

  private Future<Reply> put(RoutingContext ctx) {
    String job = pathParam(ctx, "name");
    String step = pathParam(ctx, "stepName");
    JsonObject body = body(ctx);
    Endpoint.requireSameName(body, step);
    JsonObject definition = STEP.toSql(body);
    // An output object without a type means the only type there is.
    if (body.getJsonObject("output") != null && !definition.containsKey("output_type")) {
      definition.put("output_type", "SqlDatabase");
    }
    return steps.save(job, step, body.getInteger("stepId"), definition)
      .compose(saved -> steps.get(job, null, step).map(stored -> Reply.saved(saved.created(), stored.toJson())));
  }

  private Future<Reply> delete(RoutingContext ctx) {
    return steps.delete(pathParam(ctx, "name"), pathParam(ctx, "stepName")).map(version -> Reply.noContent());
  }

  private static Reply listReply(List<JobStep> list) {
    return Reply.list(list.stream().map(JobStep::toJson).toList());
  }
}
