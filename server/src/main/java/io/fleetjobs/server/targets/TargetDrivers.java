package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.Future;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The driver of each engine. */
public final class TargetDrivers {
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

  /** Closes what the drivers hold (the JDBC pools); each driver is closed even when another fails to. */
  public Future<Void> close() {
    return Future.join(byEngine.values().stream().map(TargetDriver::close).toList())
      .mapEmpty();
  }
}
