package io.fleetjobs.server;

import com.azure.core.credential.TokenCredential;
import io.fleetjobs.alerts.Alerts;
import io.fleetjobs.common.secrets.PlatformSecrets;
import io.fleetjobs.server.agents.AgentRegistry;
import io.fleetjobs.server.agents.HeartbeatVerticle;
import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.server.credentials.CredentialRepository;
import io.fleetjobs.server.credentials.LoginCache;
import io.fleetjobs.server.db.EmbeddedJobDatabase;
import io.fleetjobs.server.db.JobDatabase;
import io.fleetjobs.server.db.Migrations;
import io.fleetjobs.server.http.HttpServerVerticle;
import io.fleetjobs.server.jobs.JobRepository;
import io.fleetjobs.server.jobs.JobStepRepository;
import io.fleetjobs.server.jobs.PinnedSteps;
import io.fleetjobs.server.jobs.claims.AttemptRepository;
import io.fleetjobs.server.jobs.claims.ClaimRepository;
import io.fleetjobs.server.jobs.claims.Claimant;
import io.fleetjobs.server.jobs.dispatch.DispatcherVerticle;
import io.fleetjobs.server.jobs.executions.AlertPausesVerticle;
import io.fleetjobs.server.jobs.notices.ExecutionNoticeRepository;
import io.fleetjobs.server.jobs.notices.ExecutionNoticeVerticle;
import io.fleetjobs.server.jobs.executions.RolloutRepository;
import io.fleetjobs.server.targetgroups.GroupExpander;
import io.fleetjobs.server.jobs.dispatch.StepStarter;
import io.fleetjobs.server.jobs.schedule.ScheduleRepository;
import io.fleetjobs.server.jobs.schedule.SchedulerVerticle;
import io.fleetjobs.server.jobs.worker.TargetExecutorVerticle;
import io.fleetjobs.server.metrics.ExecutionMetrics;
import io.fleetjobs.server.metrics.JobMetricSource;
import io.fleetjobs.server.metrics.ProcessMetrics;
import io.fleetjobs.server.metrics.PrometheusRegistry;
import io.fleetjobs.server.security.MasterKey;
import io.fleetjobs.server.security.MasterKeyCheck;
import io.fleetjobs.server.security.SecretBox;
import io.fleetjobs.server.targetgroups.TargetGroupRepository;
import io.fleetjobs.server.targets.PostgresTargetDriver;
import io.fleetjobs.server.targets.ServerKeys;
import io.fleetjobs.server.targets.TargetDrivers;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.fleetjobs.server.targets.jdbc.JdbcDialect;
import io.fleetjobs.server.targets.mysql.MysqlTargetDriver;
import io.fleetjobs.server.targets.sqlserver.SqlServerDialect;
import io.fleetjobs.server.targets.sqlserver.SqlServerTargets;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.fleetjobs.server.tokens.TokenSecrets;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root. Starting means: the job database is up (embedded or external), the migrations
 * are applied, the master key matches the database, the engine and the HTTP server are deployed, and
 * the first admin token exists.
 */
public final class Agent {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);
  private static final int ENGINE_POOL_SIZE = 16;
  /** Rules are evaluated side by side and deliveries record their attempts on it. */
  private static final int ALERTS_POOL_SIZE = 10;
  /** Target work is asynchronous on PostgreSQL; a few executors on the worker pool keep both cores busy. */
  private static final int EXECUTOR_INSTANCES = 4;
  /** The host as the JVM names itself (pid@host), without a blocking name lookup. */
  private static final String HOST = ManagementFactory.getRuntimeMXBean().getName()
    .substring(ManagementFactory.getRuntimeMXBean().getName().indexOf('@') + 1);

  private final Vertx vertx;
  private final Prepared prepared;
  private final Pool enginePool;
  private final Deployed deployed;
  private final String firstAdminToken;

  private Agent(Vertx vertx, Prepared prepared, Pool enginePool, Deployed deployed, String firstAdminToken) {
    this.vertx = vertx;
    this.prepared = prepared;
    this.enginePool = enginePool;
    this.deployed = deployed;
    this.firstAdminToken = firstAdminToken;
  }

  /**
   * What start-up resolved off the event loop (the database and the key), and the clock every decision by
   * time reads.
   */
  private record Prepared(EmbeddedJobDatabase embedded, JobDatabase db, MasterKey key, AgentConfig config,
                          Clock clock, TargetConnections targets) {
  }

  /** How postgresql and mysql targets are reached: read at start (certificate files included), off the event loop. */
  private record TargetConnections(PostgresTargetDriver.Settings postgres, MysqlTargetDriver.Settings mysql) {
    static TargetConnections of(AgentConfig config, Dependencies dependencies) {
      return new TargetConnections(
        PostgresTargetDriver.Settings.of(config.targets(), config.sqlserver().entra(),
          Optional.ofNullable(dependencies.entraCredential()), dependencies.clock()),
        MysqlTargetDriver.Settings.of(config.targets()));
    }
  }

  public static Future<Agent> start(Vertx vertx, AgentConfig config) {
    return start(vertx, config, PrometheusRegistry.create());
  }

  /** @param registry where /metrics reads from; Main shares it with Vert.x's own metrics */
  public static Future<Agent> start(Vertx vertx, AgentConfig config, PrometheusMeterRegistry registry) {
    return start(vertx, config, Dependencies.of(registry));
  }

  /**
   * What an agent is built with besides its configuration.
   * @param registry where /metrics reads from
   * @param sqlserverDialect how the sqlserver engine speaks to its targets: SQL Server's dialect, or the stand-in
   *   with which tests run the engine's JDBC path where no SQL Server is
   * @param clock when schedules are due and retries ready; tests move it instead of sleeping
   * @param entraCredential the agent's Microsoft Entra identity for postgresql members that sign in with it; null
   *   builds it from the configuration (FLEETJOBS_ENTRA_*), tests hand in one of their own
   * @param environment where secrets given by reference to a variable are read, when used
   */
  public record Dependencies(PrometheusMeterRegistry registry, JdbcDialect sqlserverDialect, Clock clock,
                             TokenCredential entraCredential, Map<String, String> environment) {
    public static Dependencies of(PrometheusMeterRegistry registry) {
      return new Dependencies(registry, new SqlServerDialect(), Clock.systemUTC(), null, System.getenv());
    }

    public Dependencies withClock(Clock newClock) {
      return new Dependencies(registry, sqlserverDialect, newClock, entraCredential, environment);
    }

    public Dependencies withSqlserverDialect(JdbcDialect dialect) {
      return new Dependencies(registry, dialect, clock, entraCredential, environment);
    }

    public Dependencies withEntraCredential(TokenCredential credential) {
      return new Dependencies(registry, sqlserverDialect, clock, credential, environment);
    }

    public Dependencies withEnvironment(Map<String, String> variables) {
      return new Dependencies(registry, sqlserverDialect, clock, entraCredential, variables);
    }
  }

  public static Future<Agent> start(Vertx vertx, AgentConfig config, Dependencies dependencies) {
    LOG.info("Starting fleetjobs agent: {}", config);
    return vertx.executeBlocking(() -> prepare(config, dependencies))
      .compose(prepared -> {
        Pool enginePool = prepared.db().enginePool(vertx, ENGINE_POOL_SIZE);
        // Start-up writes (the key's fingerprint, the tier, the first token) commit durably.
        Pool startup = prepared.db().pool(vertx, "fleetjobs-startup", 1);
        return new MasterKeyCheck(startup).verify(prepared.key())
          .compose(keyOk -> configuredTier(startup, config))
          .compose(tier -> deploy(vertx, prepared, enginePool, dependencies, tier))
          // Last, so a start that fails earlier does not use up the one token that is ever shown.
          .compose(deployed -> firstAdminToken(startup, prepared.config())
            .map(token -> new Agent(vertx, prepared, enginePool, deployed, token)))
          .onFailure(e -> {
            enginePool.close();
            closeQuietly(prepared.embedded());
          })
          .eventually(startup::close);
      });
  }

  /** Blocking: starts the embedded database if configured so, applies migrations, loads the key. */
  private static Prepared prepare(AgentConfig config, Dependencies dependencies) throws Exception {
    Clock clock = dependencies.clock();
    TargetConnections targets = TargetConnections.of(config, dependencies);
    EmbeddedJobDatabase embedded = null;
    JobDatabase db;
    if (config.embeddedDatabase()) {
      Path passwordFile = config.dataDir().resolve("postgres.password");
      embedded = EmbeddedJobDatabase.start(config.dataDir().resolve("postgres"), passwordFile,
        config.dataDir().resolve("postgres.port"), config.embeddedDbPort());
      db = embedded.jobDatabase();
      LOG.info("Embedded job database is up; psql can attach with: PGPASSWORD=$(cat {}) psql {}", passwordFile,
        db.displayUrl());
    } else {
      db = JobDatabase.fromUrl(config.dbUrl());
      LOG.info("Using the job database at {}", db.displayUrl());
    }
    try {
      LOG.info("Job database schema is current ({} migrations applied now)", Migrations.apply(db));
      MasterKey key = masterKey(config);
      return new Prepared(embedded, db, key, config.withDbUrl(db.url()).withMasterKey(null), clock, targets);
    } catch (Exception e) {
      closeQuietly(embedded);
      throw e;
    }
  }

  private static MasterKey masterKey(AgentConfig config) throws Exception {
    if (config.masterKey() != null && config.masterKeyFile() != null) {
      throw new IllegalStateException("Give FLEETJOBS_MASTER_KEY or FLEETJOBS_MASTER_KEY_FILE, not both.");
    }
    if (config.masterKey() != null) {
      return MasterKey.parse(config.masterKey());
    }
    if (config.masterKeyFile() != null) {
      // A platform's secret (Kubernetes, Docker) mounted as a file; it is read, never created or rewritten.
      return MasterKey.read(config.masterKeyFile());
    }
    if (!config.embeddedDatabase()) {
      throw new IllegalStateException("FLEETJOBS_MASTER_KEY or FLEETJOBS_MASTER_KEY_FILE is required with an "
        + "external job database: every agent that shares it must seal secrets with the same key.");
    }
    Path keyFile = config.dataDir().resolve("master.key");
    LOG.info("Using the master key in {}", keyFile);
    return MasterKey.loadOrCreate(keyFile);
  }

  /** A tier in the configuration is written to the job database; without one the stored tier stays. */
  private static Future<Tier> configuredTier(Pool pool, AgentConfig config) {
    Capacity stored = new Capacity(pool);
    return config.tier() == null ? stored.refresh() : stored.save(config.tier());
  }

  /** @param attempts counts the attempts handed back, which a stop reports */
  private record Deployed(List<String> ids, int port, Tier tier, Alerts alerts, Pool alertsPool,
                          TargetDrivers drivers, TargetWorkerPool workers, AttemptRepository attempts,
                          ProcessMetrics process) {
  }

  private static Future<Deployed> deploy(Vertx vertx, Prepared prepared, Pool enginePool, Dependencies dependencies,
                                         Tier tier) {
    AgentConfig config = prepared.config();
    PrometheusMeterRegistry registry = dependencies.registry();
    SecretBox secretBox = new SecretBox(prepared.key());
    PlatformSecrets platformSecrets = new PlatformSecrets(vertx, dependencies.environment());
    Capacity capacity = new Capacity(enginePool).withAgentMax(config.engine().agentMaxTargets());
    // JDBC targets block a thread per statement: the same named pool as the executors.
    TargetWorkerPool workers = TargetWorkerPool.open(vertx, capacity);
    TargetDrivers drivers = new TargetDrivers(new PostgresTargetDriver(vertx, prepared.targets().postgres()),
      SqlServerTargets.driver(vertx, config.sqlserver(), workers, capacity, dependencies.sqlserverDialect()),
      new MysqlTargetDriver(vertx, prepared.targets().mysql()));
    ExecutionMetrics metrics = new ExecutionMetrics(registry, capacity, config.telemetry().metricsTargetLabels());
    ProcessMetrics process = ProcessMetrics.bindTo(registry);
    Engine engine = engine(vertx, prepared, enginePool, new CredentialRepository(enginePool, secretBox, platformSecrets),
      drivers, metrics, capacity);
    Pool alertsPool = prepared.db().pool(vertx, "fleetjobs-alerts", ALERTS_POOL_SIZE);
    DeploymentOptions options = new DeploymentOptions().setConfig(config.toJson());
    List<String> ids = new ArrayList<>();
    DeploymentOptions executors = workers.deployOn(options);
    // The heartbeat first: the first claims already take only this agent's share.
    return vertx.deployVerticle(new HeartbeatVerticle(new HeartbeatVerticle.Dependencies(new AgentRegistry(enginePool),
        identity(engine.claimant()), config.engine().heartbeatSeconds(), capacity, metrics)), options)
      .onSuccess(ids::add)
      .compose(id -> vertx.deployVerticle(() -> new TargetExecutorVerticle(engine.executors()),
        executors.setInstances(EXECUTOR_INSTANCES)))
      .onSuccess(ids::add)
      .compose(id -> vertx.deployVerticle(new DispatcherVerticle(engine.dispatcher()), options)).onSuccess(ids::add)
      .compose(id -> vertx.deployVerticle(new SchedulerVerticle(new ScheduleRepository(enginePool), prepared.clock(),
        Duration.ofDays(config.engine().historyRetentionDays()), config.engine().scheduleTickMs()), options))
      .onSuccess(ids::add)
      // Before the alerts: a rule's pause action has its consumer from the first evaluation on.
      .compose(id -> vertx.deployVerticle(new AlertPausesVerticle(new RolloutRepository(enginePool, prepared.clock())),
        options)).onSuccess(ids::add)
      .compose(id -> Alerts.deploy(vertx, new Alerts.Dependencies(alertsPool, config.alerts(),
        new JobMetricSource(alertsPool), new Alerts.Secrets(secretBox, platformSecrets), Addresses.TARGET_FINISHED,
        engine.claimant().agentId(), registry)))
      .compose(alerts -> vertx.deployVerticle(new ExecutionNoticeVerticle(new ExecutionNoticeVerticle.Dependencies(
          new ExecutionNoticeRepository(alertsPool), alerts.executionNotices(), Addresses.TARGET_FINISHED,
          config.alerts().evaluationTick())), options)
        .onSuccess(ids::add)
        .map(alerts)
        .onFailure(e -> alerts.stop()))
      .compose(alerts -> {
        HttpServerVerticle http = new HttpServerVerticle(
          new HttpServerVerticle.Dependencies(secretBox, platformSecrets, drivers, registry, alerts, prepared.clock()));
        return vertx.deployVerticle(http, options)
          .onSuccess(ids::add)
          .map(id -> new Deployed(ids, http.actualPort(), tier, alerts, alertsPool, drivers, workers,
            engine.executors().attempts(), process))
          .onFailure(e -> alerts.stop());
      })
      .onFailure(e -> {
        ids.forEach(vertx::undeploy);
        process.close();
        alertsPool.close();
        drivers.close()
          .eventually(workers::close);
      });
  }

  /** This agent as the registry shows it. */
  private static AgentRegistry.AgentIdentity identity(Claimant claimant) {
    String version = Agent.class.getPackage().getImplementationVersion();
    return new AgentRegistry.AgentIdentity(claimant.agentId(), HOST, ProcessHandle.current().pid(),
      version == null ? "development" : version, Instant.now());
  }

  /** The engine's two sides: the dispatcher claims and hands out, the executors run and record. */
  private record Engine(Claimant claimant, DispatcherVerticle.Dependencies dispatcher,
                        TargetExecutorVerticle.Dependencies executors) {
  }

  private static Engine engine(Vertx vertx, Prepared prepared, Pool pool, CredentialRepository credentials,
                               TargetDrivers drivers, ExecutionMetrics metrics, Capacity capacity) {
    Clock clock = prepared.clock();
    // Unique per process: a restarted agent must not inherit the leases of the one before it.
    Claimant claimant = new Claimant(ManagementFactory.getRuntimeMXBean().getName() + "/" + UUID.randomUUID(),
      prepared.config().engine().leaseSeconds());
    ClaimRepository claims = new ClaimRepository(pool, clock);
    AttemptRepository attempts = new AttemptRepository(pool, clock);
    PinnedSteps steps = new PinnedSteps(new JobStepRepository(pool, new JobRepository(pool, clock)));
    GroupExpander expander = new GroupExpander(new GroupExpander.Dependencies(new TargetGroupRepository(pool, vertx),
      credentials, drivers, new ServerKeys(vertx), prepared.config().engine().enumerationTimeout(), vertx));
    StepStarter starter = new StepStarter(steps, expander, claims, attempts);
    return new Engine(claimant,
      new DispatcherVerticle.Dependencies(claimant, prepared.config().engine().dispatchIntervalMs(), claims, attempts,
        starter, capacity, metrics),
      new TargetExecutorVerticle.Dependencies(claimant, attempts, steps, new LoginCache(credentials, clock), drivers,
        metrics));
  }

  /** @return the first admin token's secret when this start created it, else null */
  private static Future<String> firstAdminToken(Pool pool, AgentConfig config) {
    String secret = config.bootstrapAdminToken() != null ? config.bootstrapAdminToken() : TokenSecrets.newSecret();
    return new AccessTokenRepository(pool).createFirstAdmin(TokenSecrets.hash(secret))
      .map(created -> created ? secret : null);
  }

  /**
   * Stops taking work, cancels the statements still running and hands their targets back unspent (another
   * agent, or this one after a restart, runs them again at once), then closes the pools and the embedded job
   * database. Logs when it begins and when it ends, with how many attempts were handed back.
   */
  public Future<Void> stop() {
    LOG.info("Stopping the fleetjobs agent: running statements are cancelled and their targets handed back");
    long handedBackBefore = deployed.attempts().releasedSoFar();
    List<String> newestFirst = new ArrayList<>(deployed.ids());
    Collections.reverse(newestFirst);
    Future<Void> undeployed = Future.succeededFuture();
    for (String id : newestFirst) {
      undeployed = undeployed.eventually(() -> vertx.undeploy(id));
    }
    return undeployed
      .eventually(() -> deployed.alerts().stop())
      .eventually(() -> deployed.alertsPool().close())
      .eventually(() -> deployed.drivers().close())
      .eventually(() -> deployed.workers().close())
      .eventually(enginePool::close)
      .eventually(() -> {
        deployed.process().close();
        return Future.succeededFuture();
      })
      .eventually(() -> vertx.executeBlocking(() -> {
        closeQuietly(prepared.embedded());
        return null;
      }))
      .onComplete(stopped -> LOG.info("fleetjobs agent stopped{}; {} target attempts handed back unspent",
        stopped.failed() ? " (" + stopped.cause().getMessage() + ")" : "",
        deployed.attempts().releasedSoFar() - handedBackBefore))
      .mapEmpty();
  }

  public int httpPort() {
    return deployed.port();
  }

  /** The tier at start; it may change at run time through the API. */
  public Tier tier() {
    return deployed.tier();
  }

  public JobDatabase jobDatabase() {
    return prepared.db();
  }

  /** The admin token this start created, to print once; null when the job database already had tokens. */
  public String firstAdminToken() {
    return firstAdminToken;
  }

  private static void closeQuietly(EmbeddedJobDatabase embedded) {
    if (embedded == null) {
      return;
    }
    try {
      embedded.close();
    } catch (Exception e) {
      LOG.warn("Could not stop the embedded job database cleanly", e);
    }
  }
}
