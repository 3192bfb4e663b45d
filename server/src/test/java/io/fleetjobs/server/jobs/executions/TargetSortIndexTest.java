package io.fleetjobs.server.jobs.executions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each order of a target list reads a page from its index (V011, V013), not by sorting every target of the run;
 * a page after a cursor starts at the cursor in that index, with the cursor's keys as its index condition.
 */
class TargetSortIndexTest {
  @Test
  void every_sort_but_duration_reads_its_first_page_in_index_order() throws SQLException {
    try (RoutineDatabase db = RoutineDatabase.migrated("target_sort_index");
         Statement sql = db.connection().createStatement()) {
      // A table this small would be sorted in memory; forbid that, so the plan says whether the index fits.
      sql.execute("SET enable_sort = off");
      for (TargetSort sort : List.of(TargetSort.STEP, TargetSort.LIFECYCLE, TargetSort.NAME, TargetSort.END_TIME)) {
        String plan = db.query("EXPLAIN SELECT x.target_execution_id FROM jobs_internal.target_executions x"
            + " WHERE x.job_execution_id = ? ORDER BY " + sort.orderBy() + " LIMIT 101", UUID.randomUUID())
          .stream().map(row -> String.valueOf(row.get(0))).collect(Collectors.joining("\n"));
        assertTrue(!plan.contains("  Sort  ") && !plan.startsWith("Sort"), sort + " sorts instead of reading an index:\n"
          + plan);
        assertTrue(plan.contains("Index Scan"), sort + ":\n" + plan);
      }
    }
  }

  @Test
  void a_page_after_a_cursor_seeks_to_it_in_the_index_of_its_order() throws SQLException {
    try (RoutineDatabase db = RoutineDatabase.migrated("target_sort_cursor");
         Statement sql = db.connection().createStatement()) {
      sql.execute("SET enable_sort = off");
      sql.execute("SET enable_bitmapscan = off");
      for (TargetSort sort : List.of(TargetSort.STEP, TargetSort.LIFECYCLE, TargetSort.NAME, TargetSort.END_TIME)) {
        String after = sort.after()
          .replace("#{k0}", sort == TargetSort.END_TIME ? "'2026-01-01 00:00:00+00'" : sort == TargetSort.NAME
            ? "'s'" : "'1'")
          .replace("#{k1}", "'s'").replace("#{k2}", sort == TargetSort.NAME ? "'1'" : "'d'").replace("#{k3}", "'1'");
        String plan = db.query("EXPLAIN SELECT x.target_execution_id FROM jobs_internal.target_executions x"
            + " WHERE x.job_execution_id = ? AND (" + after + ") ORDER BY " + sort.orderBy() + " LIMIT 101",
            UUID.randomUUID())
          .stream().map(row -> String.valueOf(row.get(0))).collect(Collectors.joining("\n"));
        assertTrue(!plan.contains("  Sort  ") && plan.contains("Index Scan"), sort + ":\n" + plan);
        String condition = plan.lines().filter(line -> line.contains("Index Cond")).findFirst().orElse("");
        assertTrue(condition.contains("ROW(") || condition.contains("'-infinity'"),
          sort + " reads from the index's start and filters up to the cursor:\n" + plan);
      }
    }
  }
}
