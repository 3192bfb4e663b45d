package io.fleetjobs.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.Tier;
import io.fleetjobs.server.config.TelemetrySettings.TargetLabels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The outcome counters' labels: snake_case, and as many target labels as the setting allows. */
class ExecutionMetricsTest {
  private static final TargetFinished FAILED = new TargetFinished(UUID.randomUUID(), UUID.randomUUID(), "nightly", 1,
    "vacuum", "pg1.example.com:5432", "tenant_7", "Failed", 1, "boom");

  @Test
  void server_labels_by_default_leave_the_database_out() {
    assertEquals(List.of("job_name", "step_name", "target_server"), labelsAfterOneFailure(TargetLabels.SERVER));
  }

  @Test
  void database_labels_name_every_database() {
    assertEquals(List.of("job_name", "step_name", "target_database", "target_server"),
      labelsAfterOneFailure(TargetLabels.DATABASE));
  }

  @Test
  void no_target_labels_keep_one_series_per_job_and_step() {
    assertEquals(List.of("job_name", "step_name"), labelsAfterOneFailure(TargetLabels.NONE));
  }

  @Test
  void outcomes_without_an_elastic_jobs_metric_are_not_counted() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new ExecutionMetrics(registry, Capacity.inMemory(Tier.JA100), TargetLabels.SERVER).record(new TargetFinished(
      UUID.randomUUID(), UUID.randomUUID(), "nightly", 1, "vacuum", "pg1", "tenant_7", "Canceled", 1, "stop"));
    assertEquals(0, registry.find("elastic_jobs_failed").counters().size());
    assertEquals(0, registry.find("elastic_jobs_successful").counters().size());
  }

  private static List<String> labelsAfterOneFailure(TargetLabels labels) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new ExecutionMetrics(registry, Capacity.inMemory(Tier.JA100), labels).record(FAILED);
    Counter failed = registry.get("elastic_jobs_failed").counter();
    assertEquals(1.0, failed.count());
    return failed.getId().getTags().stream().map(Tag::getKey).sorted().toList();
  }
}
