package io.fleetjobs.server.db;

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
}
