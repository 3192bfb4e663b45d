package io.fleetjobs.bench;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.config.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One step, SELECT 1, over every database of one server, two ways in the same run:
 * the agent (expand the SqlServer member, claim, run, record every target in the job database) and
 * the floor (the same connections and statements straight through vertx-pg-client, at the tier's
 * concurrency, recording nothing). Both on real PostgreSQL servers on this machine.
 *
 * <p>Usage: FleetRunBenchmark [N ...] (default 200 1000). For each N: one untimed pass of each, then
 * floor, agent, floor, agent. The agent's time runs from the execution's creation to the last target's
 * recorded end, both read from the job database.
 */
public final class FleetRunBenchmark {
  private static final String TOKEN = "fjt_benchmark_admin_token_not_secret_0000";
  private static final Tier TIER = Tier.JA100;
  private static final long STATS_DELAY_MS = 1500;
  private static final long POLL_MS = 100;

  private record Sample(double floorSeconds, double agentSeconds, double transactionsPerTarget,
                        double rowWritesPerTarget) {
  }

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String arg : args.length == 0 ? new String[] {"200", "1000"} : args) {
      sizes.add(Integer.parseInt(arg));
    }
    try (EmbeddedPostgres targets = EmbeddedPostgres.builder().setServerConfig("max_connections", "400").start();
         // The job database commits durably, as the agent's own embedded default does.
         EmbeddedPostgres jobDatabase = EmbeddedPostgres.builder().setServerConfig("synchronous_commit", "on")
           .setServerConfig("fsync", "on").start()) {
      Vertx vertx = Vertx.vertx();
      try {
        System.out.printf(Locale.ROOT, "%6s %12s %12s %8s %14s %14s%n",
          "N", "floor (s)", "agent (s)", "ratio", "job-db xacts", "job-db writes");
        int created = 0;
        for (int n : sizes) {
          createDatabases(targets, created, n);
          created = Math.max(created, n);
          List<Sample> samples = new ArrayList<>();
          // One untimed pass of each first, so neither side is measured while the JIT warms up.
          floor(vertx, targets.getPort(), n);
          agent(vertx, targets.getPort(), jobDatabase, n, 0);
          for (int round = 0; round < 2; round++) {
            double floor = floor(vertx, targets.getPort(), n);
            samples.add(agent(vertx, targets.getPort(), jobDatabase, n, floor));
          }
          for (Sample s : samples) {
            System.out.printf(Locale.ROOT, "%6d %12.3f %12.3f %8.2f %14.1f %14.1f%n", n, s.floorSeconds(),
              s.agentSeconds(), s.agentSeconds() / s.floorSeconds(), s.transactionsPerTarget(), s.rowWritesPerTarget());
          }
        }
      } finally {
        vertx.close().await();
      }
    }
  }

  /** The same connections and statements as the agent's, at the tier's concurrency, recording nothing. */
  private static double floor(Vertx vertx, int port, int n) {
    AtomicInteger next = new AtomicInteger();
    long started = System.nanoTime();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < Math.min(Capacity.concurrentTargets(TIER), n); lane++) {
      lanes.add(lane(vertx, port, n, next));
    }
    Future.all(lanes).await();
    return (System.nanoTime() - started) / 1e9;
  }

  private static Future<Void> lane(Vertx vertx, int port, int n, AtomicInteger next) {
    int index = next.getAndIncrement();
    if (index >= n) {
      return Future.succeededFuture();
    }
    PgConnectOptions options = new PgConnectOptions().setHost("localhost").setPort(port)
      .setDatabase(database(index)).setUser("postgres");
    return PgConnection.connect(vertx, options)
      .compose(connection -> connection.query("SELECT 1").execute().eventually(connection::close))
      .compose(done -> lane(vertx, port, n, next));
  }

  private static Sample agent(Vertx vertx, int targetPort, EmbeddedPostgres jobServer, int n, double floor)
    throws Exception {
    String jobDatabase = "bench_job_" + System.nanoTime();
    execute(jobServer, "postgres", "CREATE DATABASE " + jobDatabase);
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Agent agent = Agent.start(vertx, AgentConfig.fromJson(new JsonObject()
      .put("httpHost", "127.0.0.1").put("httpPort", 0)
      .put("dbUrl", "postgresql://postgres@localhost:" + jobServer.getPort() + "/" + jobDatabase)
      .put("masterKey", Base64.getEncoder().encodeToString(key))
      .put("bootstrapAdminToken", TOKEN)
      .put("tier", TIER.name()))).await();
    WebClient http = WebClient.create(vertx);
    try {
      String server = "localhost:" + targetPort;
      put(http, agent, "/credentials/bench", new JsonObject().put("username", "postgres").put("password", "unused"));
      put(http, agent, "/targetGroups/fleet", new JsonObject().put("members", new JsonArray().add(new JsonObject()
        .put("type", "SqlServer").put("serverName", server).put("refreshCredential", "bench"))));
      put(http, agent, "/jobs/select-one", new JsonObject());
      put(http, agent, "/jobs/select-one/steps/one", new JsonObject().put("targetGroup", "fleet")
        .put("credential", "bench").put("action", new JsonObject().put("value", "SELECT 1")));

      long[] before = jobDatabaseWork(jobServer, jobDatabase);
      String id = http.post(agent.httpPort(), "127.0.0.1", "/api/v1/jobs/select-one/start").bearerTokenAuthentication(TOKEN)
        .send().await().bodyAsJsonObject().getString("jobExecutionId");
      String lifecycle;
      do {
        // Seldom, so watching does not take CPU from the run; the time comes from the recorded timestamps.
        Thread.sleep(POLL_MS);
        lifecycle = http.get(agent.httpPort(), "127.0.0.1", "/api/v1/jobs/select-one/executions/" + id)
          .bearerTokenAuthentication(TOKEN).send().await().bodyAsJsonObject().getString("lifecycle");
      } while (!lifecycle.equals("Succeeded") && !lifecycle.equals("Failed"));
      if (!lifecycle.equals("Succeeded")) {
        throw new IllegalStateException("The benchmark run ended " + lifecycle);
      }
      // From the moment the execution was created until the last target was recorded Succeeded.
      double seconds = count(jobServer, jobDatabase, "SELECT (1000 * extract(epoch FROM max(t.end_time) - e.create_time))"
        + "::integer FROM jobs_internal.target_executions t JOIN jobs_internal.job_executions e USING (job_execution_id)"
        + " WHERE e.job_execution_id = '" + id + "' GROUP BY e.create_time") / 1000.0;
      int recorded = count(jobServer, jobDatabase, "SELECT count(*) FROM jobs_internal.target_executions"
        + " WHERE lifecycle = 'Succeeded' AND job_execution_id = '" + id + "'");
      if (recorded != n) {
        throw new IllegalStateException("Recorded " + recorded + " succeeded targets, expected " + n);
      }
      long[] after = jobDatabaseWork(jobServer, jobDatabase);
      return new Sample(floor, seconds, (after[0] - before[0]) / (double) n, (after[1] - before[1]) / (double) n);
    } finally {
      agent.stop().await();
    }
  }

  private static void put(WebClient http, Agent agent, String path, JsonObject body) {
    int status = http.put(agent.httpPort(), "127.0.0.1", "/api/v1" + path).bearerTokenAuthentication(TOKEN)
      .sendJsonObject(body).await().statusCode();
    if (status >= 300) {
      throw new IllegalStateException("PUT " + path + " answered " + status);
    }
  }

  /**
   * Committed transactions, and rows inserted or updated, in the job database so far. PostgreSQL 14
   * reports statistics at most every 500 ms, so this waits for the reports to arrive.
   */
  private static long[] jobDatabaseWork(EmbeddedPostgres server, String database) throws Exception {
    Thread.sleep(STATS_DELAY_MS);
    try (Connection connection = server.getDatabase("postgres", database).getConnection();
         Statement sql = connection.createStatement()) {
      try (ResultSet row = sql.executeQuery("SELECT xact_commit, tup_inserted + tup_updated FROM pg_stat_database"
        + " WHERE datname = current_database()")) {
        row.next();
        return new long[] {row.getLong(1), row.getLong(2)};
      }
    }
  }

  private static void createDatabases(EmbeddedPostgres server, int from, int to) throws SQLException {
    for (int i = from; i < to; i++) {
      execute(server, "postgres", "CREATE DATABASE " + database(i));
    }
  }

  private static String database(int index) {
    return String.format(Locale.ROOT, "tenant_%04d", index);
  }

  private static void execute(EmbeddedPostgres server, String database, String statement) throws SQLException {
    try (Connection connection = server.getDatabase("postgres", database).getConnection();
         Statement sql = connection.createStatement()) {
      sql.execute(statement);
    }
  }

  private static int count(EmbeddedPostgres server, String database, String query) throws SQLException {
    try (Connection connection = server.getDatabase("postgres", database).getConnection();
         Statement sql = connection.createStatement(); ResultSet row = sql.executeQuery(query)) {
      row.next();
      return row.getInt(1);
    }
  }
}
