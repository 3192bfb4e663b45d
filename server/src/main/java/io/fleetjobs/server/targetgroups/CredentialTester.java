package io.fleetjobs.server.targetgroups;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.credentials.CredentialRepository;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.fleetjobs.server.targets.TargetDriver;
import io.fleetjobs.server.targets.TargetDrivers;
import io.fleetjobs.server.targets.TargetFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Tries a stored credential before a run: it connects once to a server, or to every database a target group
 * expands to now, and says for each whether the login works, and if not, the server's error and its SQLSTATE.
 * A few connections at a time, so testing a 2,000-database group does not open 2,000 connections at once.
 */
public final class CredentialTester {
  private static final int AT_ONCE = 16;
  private final CredentialRepository credentials;
  private final TargetDrivers drivers;
  private final GroupExpander expander;
  private final TargetGroupRepository groups;

  public CredentialTester(CredentialRepository credentials, TargetDrivers drivers, GroupExpander expander,
                          TargetGroupRepository groups) {
    this.credentials = credentials;
    this.drivers = drivers;
    this.expander = expander;
    this.groups = groups;
  }

  /** One server: the login is tried on its maintenance database (postgres, master) unless a database is named. */
  public Future<List<JsonObject>> onServer(String credential, String engine, String serverName, String databaseName,
                                           ConnectionSettings connection) {
    TargetDriver driver;
    try {
      driver = drivers.forEngine(engine);
    } catch (InvalidInput e) {
      return Future.failedFuture(e.withTarget("engine"));
    }
    String database = databaseName != null ? databaseName : driver.maintenanceDatabase();
    return credentials.login(credential)
      .compose(login -> attempt(driver, login, serverName, database, engine, connection))
      .map(List::of);
  }

  /** Every database the group expands to now; a member that cannot be listed is reported with its error. */
  public Future<List<JsonObject>> onGroup(String credential, String groupName) {
    return credentials.login(credential)
      .compose(login -> groups.get(groupName)
        .compose(expander::expand)
        .compose(expansion -> {
          List<JsonObject> results = new ArrayList<>();
          expansion.failures().forEach(failure -> results.add(result(failure.member().engine(),
            failure.member().serverName(), null, 0, failure.cause())));
          return inBatches(login, expansion.targets(), 0, results);
        }));
  }

  private Future<List<JsonObject>> inBatches(Login login, List<ResolvedTarget> targets, int from,
                                             List<JsonObject> results) {
    if (from >= targets.size()) {
      return Future.succeededFuture(results);
    }
    List<Future<JsonObject>> batch = targets.subList(from, Math.min(targets.size(), from + AT_ONCE)).stream()
      .map(target -> attempt(drivers.forEngine(target.engine()), login, target.serverName(), target.databaseName(),
        target.engine(), target.connection()))
      .toList();
    return Future.all(batch).compose(done -> {
      batch.forEach(result -> results.add(result.result()));
      return inBatches(login, targets, from + AT_ONCE, results);
    });
  }

  /** Never fails: a refused login is the answer, not an error of the test. */
  private static Future<JsonObject> attempt(TargetDriver driver, Login login, String serverName, String database,
                                            String engine, ConnectionSettings connection) {
    long started = System.nanoTime();
    return driver.testLogin(serverName, database, login, connection)
      .map(ok -> result(engine, serverName, database, elapsedMs(started), null))
      .otherwise(e -> result(engine, serverName, database, elapsedMs(started), e));
  }

  private static long elapsedMs(long started) {
    return (System.nanoTime() - started) / 1_000_000;
  }

  private static JsonObject result(String engine, String serverName, String database, long latencyMs,
                                   Throwable failure) {
    JsonObject json = new JsonObject()
      .put("engine", engine)
      .put("serverName", serverName)
      .put("databaseName", database)
      .put("succeeded", failure == null)
      .put("latencyMs", latencyMs);
    if (failure != null) {
      json.put("sqlState", TargetFailures.code(failure).orElse(null)).put("message", failure.getMessage());
    }
    return json;
  }
}
