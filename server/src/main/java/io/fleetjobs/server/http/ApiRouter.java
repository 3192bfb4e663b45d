package io.fleetjobs.server.http;

import io.fleetjobs.server.http.api.ActionGroupsApi;
import io.fleetjobs.server.http.api.AgentApi;
import io.fleetjobs.server.http.api.AlertProcessingRulesApi;
import io.fleetjobs.server.http.api.AlertRulesApi;
import io.fleetjobs.server.http.api.AlertsApi;
import io.fleetjobs.server.http.api.CredentialsApi;
import io.fleetjobs.server.http.api.EventsApi;
import io.fleetjobs.server.http.api.ExecutionDetailsApi;
import io.fleetjobs.server.http.api.ExecutionNotificationsApi;
import io.fleetjobs.server.http.api.ExecutionsApi;
import io.fleetjobs.server.http.api.FleetStateApi;
import io.fleetjobs.server.http.api.JobStepsApi;
import io.fleetjobs.server.http.api.JobsApi;
import io.fleetjobs.server.http.api.TargetGroupsApi;
import io.fleetjobs.server.http.api.TargetsPreviewApi;
import io.fleetjobs.server.http.api.TokensApi;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * The /api/v1 router, built from the OpenAPI contract: routes, request validation and roles all come
 * from the one document that is also served at /api/v1/openapi.yaml.
 */
public final class ApiRouter {
  public static final String CONTRACT = "openapi.yaml";
  static final String PATH = "/api/v1/";
  static final long MAX_BODY_BYTES = 1024 * 1024;

  /** Every resource API of the control plane, mounted together. */
  public record Dependencies(CredentialsApi credentials, TargetGroupsApi targetGroups, JobsApi jobs,
                             JobStepsApi steps, TokensApi tokens, ExecutionsApi executions,
                             TargetsPreviewApi preview, AgentApi agent, EventsApi events, AlertApis alerts,
                             FleetViewApis fleetView) {
  }

  /** What the execution page and a job's fleet state read: summaries, failure groups, attempts, who is behind. */
  public record FleetViewApis(ExecutionDetailsApi executionDetails, FleetStateApi fleetState) {
  }

  /** The alerting resources, served by the alerts module's stores, and the execution notifications beside them. */
  public record AlertApis(AlertRulesApi rules, ActionGroupsApi actionGroups, AlertProcessingRulesApi processingRules,
                          AlertsApi alerts, ExecutionNotificationsApi executionNotifications) {
  }

  private ApiRouter() {
  }

  /** Mounts the API at /api/v1 of the root router, behind the bearer-token check. */
  public static void mount(Router root, Vertx vertx, OpenAPIContract contract, Buffer contractText,
                           AccessTokenRepository tokens, Dependencies apis) {
    // On the parent route, so the token is checked before the sub-router reads or validates the body.
    root.route(PATH + "*").handler(new BearerTokenHandler(contract, tokens)).failureHandler(new ErrorResponses());
    root.route(PATH + "*").subRouter(create(vertx, contract, contractText, apis));
  }

  private static Router create(Vertx vertx, OpenAPIContract contract, Buffer contractText, Dependencies apis) {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, new ContractRequests())
      .rootHandler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES));
    apis.credentials().mount(builder);
    apis.targetGroups().mount(builder);
    apis.jobs().mount(builder);
    apis.steps().mount(builder);
    apis.tokens().mount(builder);
    apis.executions().mount(builder);
    apis.preview().mount(builder);
    apis.agent().mount(builder);
    apis.events().mount(builder);
    apis.alerts().rules().mount(builder);
    apis.alerts().actionGroups().mount(builder);
    apis.alerts().processingRules().mount(builder);
    apis.alerts().alerts().mount(builder);
    apis.alerts().executionNotifications().mount(builder);
    apis.fleetView().executionDetails().mount(builder);
    apis.fleetView().fleetState().mount(builder);
    builder.getRoute("getOpenApiDocument").addHandler(ctx -> ctx.response()
      .putHeader("Content-Type", "application/yaml")
      .end(contractText));

    // BearerTokenHandler enforces the contract's security for every operation, roles included.
    builder.getRoutes().forEach(route -> route.setDoSecurity(false));
    Router router = builder.createRouter();
    ErrorResponses errors = new ErrorResponses();
    router.route().failureHandler(errors);
    router.errorHandler(404, ctx -> ErrorResponses.sendStatus(ctx, 404));
    router.errorHandler(405, ctx -> ErrorResponses.sendStatus(ctx, 405));
    return router;
  }
}
