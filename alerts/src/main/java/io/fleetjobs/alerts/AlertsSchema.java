package io.fleetjobs.alerts;

/**
 * Where the alerts module's tables live and where its migrations are. The module keeps a Flyway history of
 * its own in its schema, so its migration numbers never collide with the server's.
 */
public final class AlertsSchema {
  public static final String SCHEMA = "alerts";
  public static final String MIGRATIONS = "classpath:db/alerts";

  private AlertsSchema() {
  }
}
