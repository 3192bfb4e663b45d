package io.fleetjobs.server;

import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.db.EmbeddedJobDatabase;
import io.fleetjobs.server.db.JobDatabase;
import io.fleetjobs.server.db.Migrations;
import io.fleetjobs.server.http.HttpServerVerticle;
import io.fleetjobs.server.security.MasterKey;
import io.fleetjobs.server.security.MasterKeyCheck;
import io.fleetjobs.server.security.SecretBox;
import io.fleetjobs.server.tokens.AccessTokenRepository;
import io.fleetjobs.server.tokens.TokenSecrets;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root. Starting means: the job database is up (embedded or external), the migrations
 * are applied, the master key matches the database, the first admin token exists, and the port is bound.
 */
public final class Agent {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final Vertx vertx;
  private final EmbeddedJobDatabase embedded;
  private final JobDatabase jobDatabase;
  private final String deploymentId;
  private final int httpPort;
  private final String firstAdminToken;

  private Agent(Vertx vertx, EmbeddedJobDatabase embedded, JobDatabase jobDatabase, String deploymentId,
                int httpPort, String firstAdminToken) {
    this.vertx = vertx;
    this.embedded = embedded;
    this.jobDatabase = jobDatabase;
    this.deploymentId = deploymentId;
    this.httpPort = httpPort;
    this.firstAdminToken = firstAdminToken;
  }

  /** What start-up resolved off the event loop: the database and the key. */
  private record Prepared(EmbeddedJobDatabase embedded, JobDatabase db, MasterKey key, AgentConfig config) {
  }

  public static Future<Agent> start(Vertx vertx, AgentConfig config) {
    LOG.info("Starting fleetjobs agent: {}", config);
    return vertx.executeBlocking(() -> prepare(config))
      .compose(prepared -> withPool(vertx, prepared, pool -> new MasterKeyCheck(pool).verify(prepared.key()))
        .compose(keyOk -> deploy(vertx, prepared))
        // Last, so a start that fails earlier does not use up the one token that is ever shown.
        .compose(deployed -> withPool(vertx, prepared, pool -> firstAdminToken(pool, prepared.config()))
          .map(token -> new Agent(vertx, prepared.embedded(), prepared.db(), deployed.id(), deployed.port(), token)))
        .onFailure(e -> closeQuietly(prepared.embedded())));
  }

  /** Blocking: starts the embedded database if configured so, applies migrations, loads the key. */
  private static Prepared prepare(AgentConfig config) throws Exception {
    EmbeddedJobDatabase embedded = null;
    JobDatabase db;
    if (config.embeddedDatabase()) {
      Path passwordFile = config.dataDir().resolve("postgres.password");
      embedded = EmbeddedJobDatabase.start(config.dataDir().resolve("postgres"), passwordFile, config.embeddedDbPort());
      db = embedded.jobDatabase();
      LOG.info("Embedded job database is up; psql can attach with: PGPASSWORD=$(cat {}) psql {}", passwordFile,
        db.displayUrl());
    } else {
      db = JobDatabase.fromUrl(config.dbUrl());
      LOG.info("Using the job database at {}", db.displayUrl());
    }
    try {
      LOG.info("Job database schema is current ({} migrations applied now)", Migrations.apply(db).migrationsExecuted);
      MasterKey key = masterKey(config);
      return new Prepared(embedded, db, key, config.withDbUrl(db.url()).withMasterKey(null));
    } catch (Exception e) {
      closeQuietly(embedded);
      throw e;
    }
  }

  private static MasterKey masterKey(AgentConfig config) throws Exception {
    if (config.masterKey() != null) {
      return MasterKey.parse(config.masterKey());
    }
    if (!config.embeddedDatabase()) {
      throw new IllegalStateException("FLEETJOBS_MASTER_KEY is required with an external job database: "
        + "every agent that shares it must seal secrets with the same key.");
    }
    Path keyFile = config.dataDir().resolve("master.key");
    LOG.info("Using the master key in {}", keyFile);
    return MasterKey.loadOrCreate(keyFile);
  }

  private record Deployed(String id, int port) {
  }

  private static Future<Deployed> deploy(Vertx vertx, Prepared prepared) {
    HttpServerVerticle http = new HttpServerVerticle(new SecretBox(prepared.key()));
    DeploymentOptions options = new DeploymentOptions().setConfig(prepared.config().toJson());
    return vertx.deployVerticle(http, options).map(id -> new Deployed(id, http.actualPort()));
  }

  /** @return the first admin token's secret when this start created it, else null */
  private static Future<String> firstAdminToken(Pool pool, AgentConfig config) {
    String secret = config.bootstrapAdminToken() != null ? config.bootstrapAdminToken() : TokenSecrets.newSecret();
    return new AccessTokenRepository(pool).createFirstAdmin(TokenSecrets.hash(secret))
      .map(created -> created ? secret : null);
  }

  /** A one-connection pool for a start-up step, closed when the step is done. */
  private static <T> Future<T> withPool(Vertx vertx, Prepared prepared, Function<Pool, Future<T>> step) {
    Pool pool = prepared.db().pool(vertx, 1);
    return step.apply(pool).eventually(pool::close);
  }

  public Future<Void> stop() {
    return vertx.undeploy(deploymentId)
      .eventually(() -> vertx.executeBlocking(() -> {
        closeQuietly(embedded);
        return null;
      }))
      .mapEmpty();
  }

  public int httpPort() {
    return httpPort;
  }

  public JobDatabase jobDatabase() {
    return jobDatabase;
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
