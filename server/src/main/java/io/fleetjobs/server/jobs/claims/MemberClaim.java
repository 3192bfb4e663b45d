package io.fleetjobs.server.jobs.claims;

import io.vertx.sqlclient.templates.RowMapper;
import java.util.UUID;

/**
 * A member row this agent now lists again: the member (by its target id) of the step's group that could not be
 * listed before. {@code claim} fences the listing's result; {@code attempt} counts listings so far.
 */
public record MemberClaim(UUID targetExecutionId, int claim, int attempt, UUID jobExecutionId, UUID jobId,
                          int jobVersion, String jobName, int stepId, UUID memberTargetId, String serverName) {
  public static final RowMapper<MemberClaim> ROW_MAPPER = row -> new MemberClaim(
    row.getUUID("target_execution_id"),
    row.getInteger("claim"),
    row.getInteger("current_attempts"),
    row.getUUID("job_execution_id"),
    row.getUUID("job_id"),
    row.getInteger("job_version"),
    row.getString("job_name"),
    row.getInteger("step_id"),
    row.getUUID("target_id"),
    row.getString("server_name"));
}
