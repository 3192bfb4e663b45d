package io.fleetjobs.server.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Concurrency tiers of Elastic Jobs: how many target databases the agent may work on at once. */
public enum Tier {
  JA100(100),
  JA200(200),
  JA400(400),
  JA800(800);

  private static final int SPARE_WORKER_THREADS = 16;
  private final int maxConcurrentTargets;

  Tier(int maxConcurrentTargets) {
    this.maxConcurrentTargets = maxConcurrentTargets;
  }

  public int maxConcurrentTargets() {
    return maxConcurrentTargets;
  }

  /**
   * Threads of the named worker pool that runs target work: one per target the tier lets run at once,
   * so a blocking driver (JDBC) can never have fewer threads than the cap lets targets in, and a few more:
   * while every slot's statement holds a thread, the executors still need threads to time out and cancel
   * those statements, and enumeration and output writes need theirs.
   */
  public int workerThreads() {
    return maxConcurrentTargets + SPARE_WORKER_THREADS;
  }

  public static Tier parse(String value) {
    return Arrays.stream(values())
      .filter(tier -> tier.name().equalsIgnoreCase(value.trim()))
      .findFirst()
      .orElseThrow(() -> new IllegalArgumentException("tier must be one of "
        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ", not " + value));
  }
}
