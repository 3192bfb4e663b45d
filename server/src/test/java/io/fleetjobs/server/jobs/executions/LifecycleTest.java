package io.fleetjobs.server.jobs.executions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The Java enum and the job database's jobs_internal.lifecycles say the same of every lifecycle value. */
class LifecycleTest {

  @Test
  void the_job_database_agrees_with_the_enum_on_every_value() throws Exception {
    try (RoutineDatabase db = RoutineDatabase.migrated("lifecycles")) {
      Map<String, List<Object>> stored = new TreeMap<>();
      for (List<Object> row : db.query("""
          SELECT lifecycle, is_active, metric_name, jobs_internal.is_active(lifecycle)
            FROM jobs_internal.lifecycles""")) {
        stored.put((String) row.get(0), List.of(row.get(1), String.valueOf(row.get(2)), row.get(3)));
      }
      Map<String, List<Object>> declared = Arrays.stream(Lifecycle.values()).collect(Collectors.toMap(
        Lifecycle::value,
        lifecycle -> List.of(lifecycle.isActive(), String.valueOf(lifecycle.metricName().orElse(null)),
          lifecycle.isActive()),
        (a, b) -> a, TreeMap::new));
      assertEquals(declared, stored);
    }
  }

  @Test
  void values_round_trip_by_their_elastic_jobs_spelling() {
    for (Lifecycle lifecycle : Lifecycle.values()) {
      assertEquals(lifecycle, Lifecycle.of(lifecycle.value()));
    }
  }
}
