package io.fleetjobs.bench.goals;

import io.fleetjobs.bench.support.AgentApi;
import io.fleetjobs.bench.support.ExecutionTimes;
import io.fleetjobs.bench.support.JarAgent;
import io.fleetjobs.bench.support.JobDatabases;
import io.fleetjobs.bench.support.Stats;
import io.fleetjobs.bench.support.Table;
import io.fleetjobs.bench.support.TargetServers;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.Tier;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Goal 1's fan-out (one step, SELECT 1, over N databases on JA100, no rollout) run by several builds of the agent
 * side by side, each from its own fat jar in a process of its own with the README's flags, against the floor in
 * the same rounds. It answers "does this build cost more than that one" on one machine at one load: issue 19 asks
 * that a step without {@code rollout} cost nothing more than before rollouts existed. The builds take turns in a
 * rotating order, so none always runs first in a round.
 */
public final class BuildsGoal {
  private static final Tier TIER = Tier.JA100;
  private static final Duration PATIENCE = Duration.ofMinutes(10);

  private BuildsGoal() {
  }

  /** @param builds each build's label and fat jar, in the order the table shows them */
  public static void run(Vertx vertx, TargetServers targets, JobDatabases jobServer, Map<String, Path> builds, int n,
                         int rounds) throws Exception {
    targets.ensureDatabases(n);
    int lanes = Math.min(Capacity.concurrentTargets(TIER), n);
    List<String> labels = new ArrayList<>(builds.keySet());
    List<String> columns = new ArrayList<>(List.of("round", "floor (s)"));
    labels.forEach(label -> {
      columns.add(label + " (s)");
      columns.add(label + " / floor");
    });
    Table table = new Table(columns.toArray(String[]::new));
    // One untimed pass of each, so no build is measured while the target server's caches fill.
    FanOutGoal.floor(vertx, targets, n, lanes);
    for (String label : labels) {
      run(targets, jobServer, builds.get(label), n);
    }
    List<Double> floors = new ArrayList<>();
    Map<String, List<Double>> times = new LinkedHashMap<>();
    labels.forEach(label -> times.put(label, new ArrayList<>()));
    for (int round = 1; round <= rounds; round++) {
      floors.add(FanOutGoal.floor(vertx, targets, n, lanes));
      for (int turn = 0; turn < labels.size(); turn++) {
        String label = labels.get((round - 1 + turn) % labels.size());
        times.get(label).add(run(targets, jobServer, builds.get(label), n));
      }
      List<Object> row = new ArrayList<>(List.of(round, floors.get(round - 1)));
      for (String label : labels) {
        double seconds = times.get(label).get(round - 1);
        row.add(seconds);
        row.add(String.format("%.2f", seconds / floors.get(round - 1)));
      }
      table.row(row.toArray());
    }
    double floor = Stats.median(floors);
    List<Object> medians = new ArrayList<>(List.of("**median**", floor));
    for (String label : labels) {
      double seconds = Stats.median(times.get(label));
      medians.add(seconds);
      medians.add(String.format("%.2f", seconds / floor));
    }
    table.row(medians.toArray());
    table.print("Builds side by side: fan-out over N = " + n + " databases on " + TIER + ", no rollout, " + rounds
      + " rounds");
  }

  /** One execution on a fresh job database; its time from the execution's creation to the last target's end. */
  private static double run(TargetServers targets, JobDatabases jobServer, Path jar, int n) throws Exception {
    String database = jobServer.create();
    Path logs = Files.createTempDirectory("fleetjobs-bench-build");
    try (JarAgent agent = JarAgent.start(jar, MemoryGoal.README_FLAGS, jobServer.url(database), TIER, logs)) {
      agent.api().job("select-one", AgentApi.servers(List.of(targets.serverName(0))), "SELECT 1");
      String id = agent.api().start("select-one");
      String lifecycle = agent.api().awaitEnd("select-one", id, PATIENCE);
      ExecutionTimes times = ExecutionTimes.of(jobServer, database, id);
      if (!lifecycle.equals("Succeeded") || times.succeeded() != n) {
        throw new IllegalStateException(jar + ": the run ended " + lifecycle + " with " + times.succeeded() + " of "
          + n + " targets succeeded (log in " + logs + ")");
      }
      return times.wallSeconds();
    }
  }
}
