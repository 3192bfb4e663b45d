package io.fleetjobs.server.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Flyway over JDBC. Blocking: run it only at start-up, off the event loop. */
public final class Migrations {
  public static final String INTERNAL_SCHEMA = "jobs_internal";

  private Migrations() {
  }

  public static MigrateResult apply(JobDatabase db) {
    return Flyway.configure()
      .dataSource(db.jdbcUrl(), db.user(), db.password())
      .schemas(INTERNAL_SCHEMA)
      .createSchemas(true)
      .locations("classpath:db/migration")
      // Routine bodies use $-quoting and %s formats, never Flyway placeholders.
      .placeholderReplacement(false)
      .load()
      .migrate();
  }
}
