package io.fleetjobs.server.jobs.claims;

import io.vertx.sqlclient.templates.RowMapper;
import java.util.UUID;

/** A job execution whose next step this agent now expands; {@code claim} fences the step start. */
public record ExpansionClaim(UUID jobExecutionId, UUID jobId, String jobName, int jobVersion, int stepId, int claim) {
  public static final RowMapper<ExpansionClaim> ROW_MAPPER = row -> new ExpansionClaim(
    row.getUUID("job_execution_id"),
    row.getUUID("job_id"),
    row.getString("job_name"),
    row.getInteger("job_version"),
    row.getInteger("step_id"),
    row.getInteger("expansion_claim"));
}
