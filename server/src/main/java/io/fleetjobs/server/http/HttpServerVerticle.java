package io.fleetjobs.server.http;

import io.fleetjobs.alerts.Alerts;
import io.fleetjobs.common.secrets.PlatformSecrets;
import io.fleetjobs.server.agents.AgentRegistry;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.credentials.CredentialRepository;
import io.fleetjobs.server.db.JobDatabase;
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
import io.fleetjobs.server.jobs.JobRepository;
import io.fleetjobs.server.jobs.notices.ExecutionNotificationRepository;
import io.fleetjobs.server.jobs.JobStepRepository;
import io.fleetjobs.server.jobs.claims.ClaimRepository;
import io.fleetjobs.server.jobs.dispatch.AgentStatus;
import io.fleetjobs.server.targetgroups.CredentialTester;
import io.fleetjobs.server.targetgroups.GroupExpander;
import io.fleetjobs.server.jobs.executions.ExecutionRepository;
import io.fleetjobs.server.jobs.executions.RolloutRepository;
import io.fleetjobs.server.jobs.executions.ExecutionStatsRepository;
import io.fleetjobs.server.jobs.executions.ExecutionSummaryRepository;
import io.fleetjobs.server.jobs.executions.FailureGroupRepository;
import io.fleetjobs.server.jobs.fleet.FleetStateReader;
import io.fleetjobs.server.jobs.fleet.FleetStateRepository;
import io.fleetjobs.server.live.ExecutionChangeRepository;
import io.fleetjobs.server.live.LiveFeed;
import io.fleetjobs.server.security.SecretBox;
import io.fleetjobs.server.targetgroups.TargetGroupRepository;
import io.fleetjobs.server.targets.ServerKeys;
import io.fleetjobs.server.targets.TargetDrivers;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.fleetjobs.server.tokens.Role;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.sqlclient.Pool;
import java.time.Clock;

/**
 * Serves the control-plane API at /api/v1, health at /health (open, for probes), metrics at /metrics (any
 * token) and the dashboard at /.
 */
public final class HttpServerVerticle extends VerticleBase {
  private static final int POOL_SIZE = 8;

  /** What the HTTP side shares with the rest of the agent; the key comes sealed inside its box. */
  public record Dependencies(SecretBox secretBox, PlatformSecrets platformSecrets, TargetDrivers drivers,
                             PrometheusMeterRegistry registry, Alerts alerts, Clock clock) {
  }

  private final Dependencies dependencies;
  private Pool pool;
  private LiveFeed feed;
  private ConnectionGuard guard;
  private volatile int actualPort;

  public HttpServerVerticle(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  @Override
  public Future<?> start() {
    AgentConfig config = AgentConfig.fromJson(config());
    pool = JobDatabase.fromUrl(config.dbUrl()).pool(vertx, "fleetjobs-api", POOL_SIZE);
    AccessTokenRepository tokens = new AccessTokenRepository(pool);
    JobRepository jobs = new JobRepository(pool, dependencies.clock());
    JobStepRepository steps = new JobStepRepository(pool, jobs);
    CredentialRepository credentials = new CredentialRepository(pool, dependencies.secretBox(),
      dependencies.platformSecrets());
    TargetGroupRepository groups = new TargetGroupRepository(pool, vertx);
    AgentStatus agent = new AgentStatus(new Capacity(pool), new ClaimRepository(pool, dependencies.clock()));
    ExecutionSummaryRepository summaries = new ExecutionSummaryRepository(pool);
    feed = new LiveFeed(vertx, new ExecutionChangeRepository(pool), summaries, agent, tokens);
    GroupExpander expander = new GroupExpander(new GroupExpander.Dependencies(groups, credentials,
      dependencies.drivers(), new ServerKeys(vertx), config.engine().enumerationTimeout(), vertx));
    ExecutionRepository executions = new ExecutionRepository(pool);
    ApiRouter.FleetViewApis fleetView = new ApiRouter.FleetViewApis(
      new ExecutionDetailsApi(executions, summaries, new FailureGroupRepository(pool)),
      new FleetStateApi(new FleetStateReader(new FleetStateReader.Dependencies(jobs, steps, expander,
        new FleetStateRepository(pool), vertx))));
    ApiRouter.Dependencies apis = new ApiRouter.Dependencies(
      new CredentialsApi(credentials, new CredentialTester(credentials, dependencies.drivers(), expander, groups)),
      new TargetGroupsApi(groups),
      new JobsApi(jobs),
      new JobStepsApi(steps),
      new TokensApi(tokens),
      new ExecutionsApi(executions, new ExecutionStatsRepository(pool), new RolloutRepository(pool, dependencies.clock()),
        dependencies.drivers(), vertx),
      new TargetsPreviewApi(steps, groups, expander),
      new AgentApi(agent, new AgentRegistry(pool), vertx),
      new EventsApi(feed),
      alertApis(dependencies.alerts(), new ExecutionNotificationRepository(pool, dependencies.alerts().actionGroups())),
      fleetView);

    Future<OpenAPIContract> contract = OpenAPIContract.from(vertx, ApiRouter.CONTRACT);
    Future<Buffer> contractText = vertx.fileSystem().readFile(ApiRouter.CONTRACT);
    return Future.all(contract, contractText)
      .compose(loaded -> {
        Router root = Router.router(vertx);
        HealthRoutes.mount(root, pool);
        // Series name jobs, steps, servers and databases: any token may read them, no anonymous caller.
        root.get("/metrics")
          .handler(new BearerTokenHandler(Role.READER, tokens))
          .handler(PrometheusScrapingHandler.create(dependencies.registry()))
          .failureHandler(new ErrorResponses());
        ApiRouter.mount(root, vertx, contract.result(), contractText.result(), tokens, apis);
        DashboardRoutes.mount(root);
        root.errorHandler(400, ctx -> ErrorResponses.sendStatus(ctx, 400));
        root.errorHandler(404, ctx -> ErrorResponses.sendStatus(ctx, 404));
        guard = new ConnectionGuard(vertx, config.httpLimits());
        // Without cleartext HTTP/2, which nothing here uses, a connection is seen (and its deadline starts) as
        // soon as it opens, not once its first bytes tell HTTP/1 from HTTP/2.
        return vertx.createHttpServer(new HttpServerOptions()
            .setCompressionSupported(true)
            .setHttp2ClearTextEnabled(false)
            .setIdleTimeout(config.httpLimits().idleTimeoutSeconds()))
          .connectionHandler(guard)
          .requestHandler(guard.watching(new WellFormedUrls(root)))
          .listen(config.httpPort(), config.httpHost());
      })
      .onSuccess(server -> actualPort = server.actualPort());
  }

  private static ApiRouter.AlertApis alertApis(Alerts alerts, ExecutionNotificationRepository notifications) {
    return new ApiRouter.AlertApis(
      new AlertRulesApi(alerts.rules()),
      new ActionGroupsApi(alerts.actionGroups(), alerts.actionGroupService()),
      new AlertProcessingRulesApi(alerts.processingRules()),
      new AlertsApi(alerts.alerts(), alerts.outbox()),
      new ExecutionNotificationsApi(notifications));
  }

  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.close();
    }
    return Future.join(feed == null ? Future.succeededFuture() : feed.close(),
      pool == null ? Future.succeededFuture() : pool.close());
  }

  /** The bound port: differs from the configured one when that was 0. */
  public int actualPort() {
    return actualPort;
  }
}
