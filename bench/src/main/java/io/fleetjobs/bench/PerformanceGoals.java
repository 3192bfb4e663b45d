package io.fleetjobs.bench;

import io.fleetjobs.bench.goals.AgentsGoal;
import io.fleetjobs.bench.goals.AlertLatencyGoal;
import io.fleetjobs.bench.goals.BuildsGoal;
import io.fleetjobs.bench.goals.FanOutGoal;
import io.fleetjobs.bench.goals.MemoryGoal;
import io.fleetjobs.bench.goals.ScaleGoal;
import io.fleetjobs.bench.support.JobDatabases;
import io.fleetjobs.bench.support.TargetServers;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every performance goal of the engine, from one command, each printed as a table with its baseline measured in
 * the same run (see BENCHMARKS.md). {@code quick} (the default) takes about 10 minutes on 2 cores; {@code full}
 * takes the larger sizes: 10,000 targets, and 5,000 failing targets for the alert latency. Later arguments pick
 * goals by number ({@code quick 1 3} runs goals 1 and 3 only; goal 5 is measured with goals 1 and 2). Goal 6, run
 * only when named ({@code quick 6}), is issue 16's: 3,000 targets with 1, 2 and 3 agents, and a rolling restart.
 * Goal 7, also only when named, runs goal 1's fan-out with several builds' fat jars side by side (see builds()).
 */
public final class PerformanceGoals {
  /** The tier's cap, the listings and the baselines' lanes, on the one target server. */
  private static final int TARGET_CONNECTIONS = 1100;

  private PerformanceGoals() {
  }

  public static void main(String[] args) throws Exception {
    boolean full = args.length > 0 && args[0].equals("full");
    Set<String> goals = args.length > 1
      ? Arrays.stream(args).filter(a -> a.matches("\\d")).collect(Collectors.toSet())
      : Set.of("1", "2", "3", "4");
    System.out.println("# fleetjobs performance goals, " + (full ? "full" : "quick") + " run, " + Instant.now()
      + ", load average at start " + loadAverage());
    try (TargetServers targets = TargetServers.start(TARGET_CONNECTIONS); JobDatabases jobServer = JobDatabases.start()) {
      Vertx vertx = Vertx.vertx();
      try {
        if (goals.contains("1")) {
          FanOutGoal.run(vertx, targets, jobServer, 1000, 5);
        }
        if (goals.contains("2")) {
          ScaleGoal.run(vertx, targets, jobServer, full ? List.of(200, 1000, 3000, 10000) : List.of(200, 1000, 3000));
        }
        if (goals.contains("3")) {
          MemoryGoal.run(targets, jobServer, agentJar(), full ? 10000 : 2000);
        }
        if (goals.contains("4")) {
          AlertLatencyGoal.run(vertx, targets, jobServer, full ? 1000 : 100, full ? 2 : 5, full ? 2 : 4);
        }
        if (goals.contains("6")) {
          AgentsGoal.run(targets, jobServer, 3);
        }
        if (goals.contains("7")) {
          BuildsGoal.run(vertx, targets, jobServer, builds(), 1000, 5);
        }
      } finally {
        vertx.close().await();
      }
    }
    System.out.println("\nload average at the end " + loadAverage());
  }

  /**
   * Goal 7's builds: {@code -Dfleetjobs.builds=label=path.jar,label=path.jar} (older builds' fat jars, each made by
   * the README's first command at that commit), then this build's, labelled "this build".
   */
  private static Map<String, Path> builds() {
    Map<String, Path> builds = new LinkedHashMap<>();
    for (String build : System.getProperty("fleetjobs.builds", "").split(",")) {
      if (!build.isBlank()) {
        String[] labelAndJar = build.split("=", 2);
        if (labelAndJar.length != 2) {
          throw new IllegalArgumentException("-Dfleetjobs.builds takes label=path.jar, not " + build);
        }
        builds.put(labelAndJar[0].trim(), Path.of(labelAndJar[1].trim()));
      }
    }
    builds.put("this build", agentJar());
    return builds;
  }

  /** The fat jar the build made, from the project's root or from bench/ (or -Dfleetjobs.jar). */
  private static Path agentJar() {
    String given = System.getProperty("fleetjobs.jar");
    if (given != null) {
      return Path.of(given);
    }
    Path fromRoot = Path.of("server/target/fleetjobs.jar");
    return Files.exists(fromRoot) ? fromRoot : Path.of("../server/target/fleetjobs.jar");
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
