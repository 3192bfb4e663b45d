package io.fleetjobs.common.sql;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Named template parameters. Unlike {@code Map.of}, it takes nulls, which SQL reads as NULL. */
public final class Params {
  private Params() {
  }

  public static Map<String, Object> of(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Params.of takes name, value pairs");
    }
    Map<String, Object> params = new HashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      params.put((String) namesAndValues[i], namesAndValues[i + 1]);
    }
    return params;
  }

  /** A time as the job database's timestamptz parameters take it; null stays null. */
  public static OffsetDateTime utc(Instant time) {
    return time == null ? null : time.atOffset(ZoneOffset.UTC);
  }
}
