package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.InvalidInput;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The driver of each engine. */
public final class TargetDrivers implements AutoCloseable {
  private final Map<String, TargetDriver> byEngine;

  public TargetDrivers(TargetDriver... drivers) {
    this.byEngine = Stream.of(drivers).collect(Collectors.toMap(TargetDriver::engine, Function.identity()));
  }

  public TargetDriver forEngine(String engine) {
    TargetDriver driver = byEngine.get(engine);
    if (driver == null) {
      throw new InvalidInput("engine", "This agent has no driver for the " + engine + " engine yet.");
    }
    return driver;
  }

  /** Closes the drivers that hold connections (the JDBC pools). */
  @Override
  public void close() {
    byEngine.values().forEach(driver -> {
      if (driver instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
  }
}
