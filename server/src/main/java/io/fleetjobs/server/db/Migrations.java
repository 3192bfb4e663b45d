package io.fleetjobs.server.db;

import io.fleetjobs.alerts.AlertsSchema;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Flyway over JDBC. Blocking: run it only at start-up, off the event loop. Each module has its own history
 * table in its own schema (jobs_internal.flyway_schema_history, alerts.flyway_schema_history), so the two
 * number their migrations independently.
 */
public final class Migrations {
  public static final String INTERNAL_SCHEMA = "jobs_internal";
  private static final String LOCATION = "classpath:db/migration";

  private Migrations() {
  }

  /** @return how many migrations this call applied, over both histories */
  public static int apply(JobDatabase db) {
    return migrate(db, INTERNAL_SCHEMA, LOCATION).migrationsExecuted
      + migrate(db, AlertsSchema.SCHEMA, AlertsSchema.MIGRATIONS).migrationsExecuted;
  }

  private static MigrateResult migrate(JobDatabase db, String schema, String location) {
    return Flyway.configure()
      .dataSource(db.jdbcUrl(), db.user(), db.password())
      .schemas(schema)
      .createSchemas(true)
      .locations(location)
      // Routine bodies use $-quoting and %s formats, never Flyway placeholders.
      .placeholderReplacement(false)
      .load()
      .migrate();
  }
}
