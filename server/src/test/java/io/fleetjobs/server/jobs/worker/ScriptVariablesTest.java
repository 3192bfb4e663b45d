package io.fleetjobs.server.jobs.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.targets.ConnectionSettings;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ScriptVariablesTest {
  private static final UUID JOB = UUID.fromString("00000000-0000-0000-0000-000000000001");
  private static final UUID EXECUTION = UUID.fromString("00000000-0000-0000-0000-000000000002");

  @Test
  void every_elastic_jobs_variable_is_substituted() {
    TargetWork work = work("nightly");
    assertEquals("nightly " + JOB + " 3 2 vacuum " + EXECUTION + " 2026-01-01T00:00:00Z tenants",
      ScriptVariables.substitute("$(job_name) $(job_id) $(job_version) $(step_id) $(step_name) $(job_execution_id) "
        + "$(job_execution_create_time) $(target_group_name)", work));
  }

  @Test
  void a_value_that_looks_like_a_variable_is_not_substituted_again_and_unknown_ones_stay() {
    assertEquals("$(step_id) $(not_a_variable)",
      ScriptVariables.substitute("$(job_name) $(not_a_variable)", work("$(step_id)")));
  }

  private static TargetWork work(String jobName) {
    return new TargetWork(UUID.randomUUID(), 1, 1, EXECUTION, Instant.parse("2026-01-01T00:00:00Z"), JOB, jobName, 3,
      2, "vacuum", "tenants", "postgresql", "pg1", "sales", ConnectionSettings.DEFAULT);
  }
}
