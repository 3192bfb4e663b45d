package io.fleetjobs.server.config;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Concurrency tiers of Elastic Jobs, as configured and stored: the name and the number in it. What the number
 * caps and sizes is for {@code capacity.Capacity} to say.
 */
public enum Tier {
  JA100(100),
  JA200(200),
  JA400(400),
  JA800(800);

  private final int maxConcurrentTargets;

  Tier(int maxConcurrentTargets) {
    this.maxConcurrentTargets = maxConcurrentTargets;
  }

  public int maxConcurrentTargets() {
    return maxConcurrentTargets;
  }

  public static Tier parse(String value) {
    return Arrays.stream(values())
      .filter(tier -> tier.name().equalsIgnoreCase(value.trim()))
      .findFirst()
      .orElseThrow(() -> new IllegalArgumentException("tier must be one of "
        + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")) + ", not " + value));
  }
}
