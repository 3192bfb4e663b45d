package io.fleetjobs.bench.goals;

import io.fleetjobs.bench.support.AgentApi;
import io.fleetjobs.bench.support.BenchAgent;
import io.fleetjobs.bench.support.ExecutionTimes;
import io.fleetjobs.bench.support.JobDatabaseWork;
import io.fleetjobs.bench.support.JobDatabases;
import io.fleetjobs.bench.support.Stats;
import io.fleetjobs.bench.support.Table;
import io.fleetjobs.bench.support.TargetServers;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.Tier;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Goal 1 (fan-out overhead) and goal 5 (claim cost): one step, SELECT 1, over N databases on JA100, as the
 * median of several rounds. Each round measures, side by side:
 * <ul>
 *   <li>the agent: from the API's start to the last target recorded Succeeded, with its job-database work;</li>
 *   <li>the floor: the same connections and statements through vertx-pg-client at the tier's concurrency,
 *       recording nothing;</li>
 *   <li>what a DBA would write instead: {@code xargs -P 100 psql -c 'SELECT 1'} and GNU {@code parallel -j 100}
 *       with psql, over the same databases, in every other round.</li>
 * </ul>
 */
public final class FanOutGoal {
  private static final Tier TIER = Tier.JA100;
  private static final Duration PATIENCE = Duration.ofMinutes(10);

  private FanOutGoal() {
  }

  public static void run(Vertx vertx, TargetServers targets, JobDatabases jobServer, int n, int rounds)
    throws Exception {
    targets.ensureDatabases(n);
    int lanes = Math.min(Capacity.concurrentTargets(TIER), n);
    Path names = Files.createTempFile("fleetjobs-bench-databases", ".txt");
    Files.write(names, targets.databases(n));
    // One untimed pass of each, so nothing is measured while the JIT warms up or the caches fill.
    floor(vertx, targets, n, lanes);
    agent(vertx, targets, jobServer, n);
    Table table = new Table("round", "floor (s)", "agent (s)", "agent / floor", "xargs psql (s)", "agent / xargs",
      "parallel psql (s)", "agent / parallel", "job-db xacts / target", "rows / target", "WAL bytes / target",
      "claim ms / target", "record ms / target");
    List<Double> floors = new ArrayList<>();
    List<Double> agents = new ArrayList<>();
    List<Double> xargs = new ArrayList<>();
    List<Double> parallels = new ArrayList<>();
    List<Double> claims = new ArrayList<>();
    List<Double> records = new ArrayList<>();
    JobDatabaseWork last = null;
    for (int round = 1; round <= rounds; round++) {
      // The agent right after its floor, so the two share the machine's state; the psql loops, which start 100
      // processes at a time and take five times as long, in every other round (rounds 1, 3, 5), so the quick run
      // fits in its 15 minutes.
      double floor = floor(vertx, targets, n, lanes);
      AgentRun agent = agent(vertx, targets, jobServer, n);
      double a = agent.times().wallSeconds();
      last = agent.work();
      floors.add(floor);
      agents.add(a);
      claims.add(agent.work().claimMs());
      records.add(agent.work().recordMs());
      Object xargsCell = "";
      Object xargsRatio = "";
      Object parallelCell = "";
      Object parallelRatio = "";
      if (round % 2 == 1) {
        double xargsSeconds = psql(names, targets, "xargs", "-P", String.valueOf(lanes), "-I{}");
        double parallelSeconds = psql(names, targets, "parallel", "--will-cite", "-j", String.valueOf(lanes),
          "-q");
        xargs.add(xargsSeconds);
        parallels.add(parallelSeconds);
        xargsCell = xargsSeconds;
        xargsRatio = ratio(a, xargsSeconds);
        parallelCell = parallelSeconds;
        parallelRatio = ratio(a, parallelSeconds);
      }
      table.row(round, floor, a, ratio(a, floor), xargsCell, xargsRatio, parallelCell, parallelRatio,
        one(agent.work().transactions()), one(agent.work().rowsWritten()),
        String.format("%.0f", agent.work().walBytes()), agent.work().claimMs(), agent.work().recordMs());
    }
    double a = Stats.median(agents);
    table.row("**median**", Stats.median(floors), a, ratio(a, Stats.median(floors)), Stats.median(xargs),
      ratio(a, Stats.median(xargs)), Stats.median(parallels), ratio(a, Stats.median(parallels)), "", "", "",
      Stats.median(claims), Stats.median(records));
    table.print("Goal 1 and 5: fan-out over N = " + n + " databases on " + TIER + ", " + rounds + " rounds");
    last.statements().print("Goal 5: where the job database's time went in the last round (pg_stat_statements, "
      + "statements of at least 0.005 ms per target)");
    Files.delete(names);
  }

  private static String ratio(double agent, double baseline) {
    return String.format("%.2f", agent / baseline);
  }

  private static String one(double value) {
    return String.format("%.1f", value);
  }

  record AgentRun(ExecutionTimes times, JobDatabaseWork work) {
  }

  /** The whole product path: one SqlServer member, expanded when the step starts, run on the tier's cap. */
  static AgentRun agent(Vertx vertx, TargetServers targets, JobDatabases jobServer, int n) throws Exception {
    String database = jobServer.create();
    try (BenchAgent agent = BenchAgent.start(vertx, jobServer.url(database), TIER, new JsonObject())) {
      agent.api().job("select-one", AgentApi.servers(List.of(targets.serverName(0))), "SELECT 1");
      JobDatabaseWork.Mark mark = jobServer.mark(database);
      String id = agent.api().start("select-one");
      String lifecycle = agent.api().awaitEnd("select-one", id, PATIENCE);
      ExecutionTimes times = ExecutionTimes.of(jobServer, database, id);
      if (!lifecycle.equals("Succeeded") || times.succeeded() != n) {
        throw new IllegalStateException("The run ended " + lifecycle + " with " + times.succeeded() + " of " + n
          + " targets succeeded");
      }
      return new AgentRun(times, mark.perTarget(n));
    }
  }

  /** The same connections and statements as the agent's, at the tier's concurrency, recording nothing. */
  static double floor(Vertx vertx, TargetServers targets, int n, int lanes) {
    AtomicInteger next = new AtomicInteger();
    long started = System.nanoTime();
    List<Future<Void>> running = new ArrayList<>();
    for (int lane = 0; lane < lanes; lane++) {
      running.add(lane(vertx, targets, n, next));
    }
    Future.all(running).await();
    return (System.nanoTime() - started) / 1e9;
  }

  private static Future<Void> lane(Vertx vertx, TargetServers targets, int n, AtomicInteger next) {
    int index = next.getAndIncrement();
    if (index >= n) {
      return Future.succeededFuture();
    }
    PgConnectOptions options = new PgConnectOptions().setHost(TargetServers.host(0)).setPort(targets.port())
      .setDatabase(TargetServers.database(index)).setUser("postgres");
    return PgConnection.connect(vertx, options)
      .compose(connection -> connection.query("SELECT 1").execute().eventually(connection::close))
      .compose(done -> lane(vertx, targets, n, next));
  }

  /** {@code launcher} (xargs or GNU parallel) running {@code psql -c 'SELECT 1'} once per database name. */
  private static double psql(Path names, TargetServers targets, String... launcher) throws Exception {
    List<String> command = new ArrayList<>(List.of(launcher));
    command.addAll(List.of("psql", "-h", TargetServers.host(0), "-p", String.valueOf(targets.port()), "-U",
      "postgres", "-d", "{}", "-XAtqc", "SELECT 1"));
    return command(names, command.toArray(String[]::new));
  }

  /** Runs a baseline command with the database names on its standard input; its wall time in seconds. */
  private static double command(Path names, String... command) throws Exception {
    long started = System.nanoTime();
    Process process = new ProcessBuilder(command).redirectInput(names.toFile())
      .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue());
    }
    return (System.nanoTime() - started) / 1e9;
  }
}
