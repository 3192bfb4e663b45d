package io.fleetjobs.server.jobs.executions;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each order of a target list reads a page from its index (V011), not by sorting every target of the run. */
class TargetSortIndexTest {
  @Test
  void every_sort_but_duration_reads_its_first_page_in_index_order() throws SQLException {
    try (RoutineDatabase db = RoutineDatabase.migrated("target_sort_index");
         Statement sql = db.connection().createStatement()) {
      // A table this small would be sorted in memory; forbid that, so the plan says whether the index fits.
      sql.execute("SET enable_sort = off");
      for (TargetSort sort : List.of(TargetSort.LIFECYCLE, TargetSort.NAME, TargetSort.END_TIME)) {
        String plan = db.query("EXPLAIN SELECT x.target_execution_id FROM jobs_internal.target_executions x"
            + " WHERE x.job_execution_id = ? ORDER BY " + sort.orderBy() + " LIMIT 101", UUID.randomUUID())
          .stream().map(row -> String.valueOf(row.get(0))).collect(Collectors.joining("\n"));
        assertTrue(!plan.contains("  Sort  ") && !plan.startsWith("Sort"), sort + " sorts instead of reading an index:\n"
          + plan);
        assertTrue(plan.contains("Index Scan"), sort + ":\n" + plan);
      }
    }
  }
}
