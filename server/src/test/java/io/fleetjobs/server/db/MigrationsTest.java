package io.fleetjobs.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import io.fleetjobs.server.testsupport.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The migrations' layout rules, and what they leave in a job database. */
class MigrationsTest {
  private static final Pattern DEFINITION = Pattern.compile(
    "create\\s+(?:or\\s+replace\\s+)?(function|procedure|view)\\s+([a-z_.\"]+)", Pattern.CASE_INSENSITIVE);
  private static final List<Path> LOCATIONS = List.of(Path.of("src/main/resources/db/migration"),
    Path.of("../alerts/src/main/resources/db/alerts"));

  @Test
  void every_routine_and_view_is_defined_in_exactly_one_file() throws IOException {
    Map<String, List<String>> definedIn = new TreeMap<>();
    for (Path file : migrationFiles()) {
      Matcher definition = DEFINITION.matcher(Files.readString(file));
      while (definition.find()) {
        definedIn.computeIfAbsent(definition.group(2).toLowerCase(), name -> new ArrayList<>())
          .add(file.getFileName().toString());
      }
    }
    assertTrue(definedIn.size() > 30, "found the routines: " + definedIn.keySet());
    definedIn.forEach((name, files) -> assertEquals(1, files.size(), name + " is defined in " + files));
  }

  @Test
  void versioned_migrations_hold_no_routines_views_or_grants() throws IOException {
    for (Path file : migrationFiles()) {
      if (file.getFileName().toString().startsWith("V")) {
        String sql = Files.readString(file);
        assertTrue(!DEFINITION.matcher(sql).find(), file + " defines a routine or view");
        assertTrue(!Pattern.compile("(?im)^\\s*REVOKE\\s+EXECUTE").matcher(sql).find(),
          file + " revokes by hand what the default privileges do");
      }
    }
  }

  @Test
  void jobs_reader_can_execute_nothing_in_jobs_internal() throws Exception {
    try (RoutineDatabase db = RoutineDatabase.migrated("privileges")) {
      assertTrue(db.count("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
        + " WHERE n.nspname = 'jobs_internal'") > 30);
      assertEquals(List.of(), db.query("""
          SELECT p.oid::regprocedure::text
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'jobs_internal' AND has_function_privilege('jobs_reader', p.oid, 'EXECUTE')"""));
      assertEquals(false, db.value("SELECT has_schema_privilege('jobs_reader', 'jobs_internal', 'USAGE')"));
      assertEquals(true, db.value("SELECT has_table_privilege('jobs_reader', 'jobs.job_executions', 'SELECT')"),
        "it still reads the views");
    }
  }

  @Test
  void the_procedures_run_as_their_owner_and_each_role_executes_only_what_it_may() throws Exception {
    try (RoutineDatabase db = RoutineDatabase.migrated("procedure_privileges")) {
      List<String> procedures = List.of("sp_add_job", "sp_add_jobstep", "sp_add_target_group",
        "sp_add_target_group_member", "sp_delete_job", "sp_delete_jobstep", "sp_delete_target_group",
        "sp_delete_target_group_member", "sp_purge_jobhistory", "sp_start_job", "sp_stop_job", "sp_update_job",
        "sp_update_jobstep");
      assertEquals(procedures, names(db, "SELECT p.proname FROM pg_proc p"
        + " WHERE p.pronamespace = 'jobs'::regnamespace AND p.prokind = 'p' ORDER BY 1"));
      assertEquals(List.of(), names(db, """
          SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'jobs'::regnamespace
             AND (NOT p.prosecdef OR p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp'])"""),
        "every procedure runs as its owner, with a search_path no caller can change");
      assertEquals(procedures, executable(db, "jobs_admin", "jobs"));
      assertEquals(List.of("sp_start_job", "sp_stop_job"), executable(db, "jobs_operator", "jobs"));
      assertEquals(List.of(), executable(db, "jobs_reader", "jobs"));
      for (String role : List.of("jobs_admin", "jobs_operator", "jobs_reader")) {
        assertEquals(List.of(), executable(db, role, "jobs_internal"), role);
        assertEquals(false, db.value("SELECT has_schema_privilege(?, 'jobs_internal', 'USAGE')", role), role);
        assertEquals(true, db.value("SELECT has_table_privilege(?, 'jobs.job_executions', 'SELECT')", role),
          role + " reads the views");
      }
    }
  }

  private static List<String> executable(RoutineDatabase db, String role, String schema) throws Exception {
    return names(db, "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
      + " WHERE n.nspname = '" + schema + "' AND has_function_privilege('" + role + "', p.oid, 'EXECUTE') ORDER BY 1");
  }

  private static List<String> names(RoutineDatabase db, String sql) throws Exception {
    return db.query(sql).stream().map(row -> (String) row.get(0)).toList();
  }

  @Test
  void a_migrated_database_migrates_again_as_a_no_op() throws Exception {
    String database = TestPostgres.newDatabase("migrate_twice");
    JobDatabase db = JobDatabase.fromUrl(TestPostgres.url(database));
    assertTrue(Migrations.apply(db) >= 6, "a baseline, the alerts baseline and the repeatable routines");
    assertEquals(0, Migrations.apply(db));
  }

  private static List<Path> migrationFiles() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path location : LOCATIONS) {
      try (Stream<Path> listed = Files.list(location)) {
        listed.filter(file -> file.toString().endsWith(".sql")).sorted().forEach(files::add);
      }
    }
    assertTrue(files.size() >= 6, "found the migrations: " + files);
    return files;
  }
}
