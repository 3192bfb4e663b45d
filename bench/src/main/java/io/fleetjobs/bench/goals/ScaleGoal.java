package io.fleetjobs.bench.goals;

import io.fleetjobs.bench.support.AgentApi;
import io.fleetjobs.bench.support.BenchAgent;
import io.fleetjobs.bench.support.ExecutionTimes;
import io.fleetjobs.bench.support.JobDatabaseWork;
import io.fleetjobs.bench.support.JobDatabases;
import io.fleetjobs.bench.support.Table;
import io.fleetjobs.bench.support.TargetServers;
import io.fleetjobs.server.config.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Goal 2 (linear to 10,000 targets): one execution per size on JA800, SELECT 1 on every target. Sizes of a
 * thousand or more take one SqlServer member per thousand, each on its own loopback address (10 distinct servers
 * at 10,000); the smallest size lists its databases as members. Per target: the time, and the job-database work
 * (transactions, rows, WAL, and the time of claims, results and expansion), against the smallest size.
 */
public final class ScaleGoal {
  private static final Tier TIER = Tier.JA800;
  private static final int PER_ADDRESS = 1000;

  private ScaleGoal() {
  }

  public static void run(Vertx vertx, TargetServers targets, JobDatabases jobServer, List<Integer> sizes)
    throws Exception {
    targets.ensureDatabases(Math.min(PER_ADDRESS, sizes.stream().mapToInt(Integer::intValue).max().orElseThrow()));
    run(vertx, targets, jobServer, sizes.get(0));   // untimed: the JIT warms up
    Table table = new Table("N", "members", "wall (s)", "ms / target", "vs first", "expansion (s)", "run (s)",
      "job-db xacts / target", "rows / target", "WAL bytes / target", "claim ms / target", "record ms / target",
      "expansion ms / target");
    Double first = null;
    Measured m = null;
    for (int n : sizes) {
      m = run(vertx, targets, jobServer, n);
      double perTarget = 1000 * m.times().wallSeconds() / n;
      first = first == null ? perTarget : first;
      table.row(n, m.members(), m.times().wallSeconds(), perTarget, String.format("%.2f", perTarget / first),
        m.times().expansionSeconds(), m.times().runSeconds(), String.format("%.2f", m.work().transactions()),
        String.format("%.2f", m.work().rowsWritten()), String.format("%.0f", m.work().walBytes()),
        m.work().claimMs(), m.work().recordMs(), m.work().expansionMs());
    }
    table.print("Goal 2: one execution per size on " + TIER + ", SELECT 1 on every target");
    m.work().statements().print("Goal 2: where the job database's time went at N = " + sizes.get(sizes.size() - 1));
  }

  record Measured(String members, ExecutionTimes times, JobDatabaseWork work) {
  }

  private static Measured run(Vertx vertx, TargetServers targets, JobDatabases jobServer, int n) throws Exception {
    JsonArray members;
    String described;
    if (n % PER_ADDRESS == 0) {
      List<String> servers = new ArrayList<>();
      for (int i = 0; i < n / PER_ADDRESS; i++) {
        servers.add(targets.serverName(i));
      }
      members = AgentApi.servers(servers);
      described = servers.size() + " SqlServer";
    } else {
      members = AgentApi.databases(targets.serverName(0), targets.databases(n));
      described = n + " SqlDatabase";
    }
    String database = jobServer.create();
    try (BenchAgent agent = BenchAgent.start(vertx, jobServer.url(database), TIER, new JsonObject())) {
      agent.api().job("fleet", members, "SELECT 1");
      JobDatabaseWork.Mark mark = jobServer.mark(database);
      String id = agent.api().start("fleet");
      String lifecycle = agent.api().awaitEnd("fleet", id, Duration.ofMinutes(20));
      ExecutionTimes times = ExecutionTimes.of(jobServer, database, id);
      if (!lifecycle.equals("Succeeded") || times.succeeded() != n) {
        throw new IllegalStateException("N = " + n + ": the run ended " + lifecycle + " with " + times.succeeded()
          + " targets succeeded");
      }
      return new Measured(described, times, mark.perTarget(n));
    }
  }
}
