package io.fleetjobs.server.jobs.claims;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * The result of one claimed attempt, as the job database records it (see finish_targets).
 *
 * @param claim        the attempt's fencing number: a stale one records nothing
 * @param outcome      the lifecycle the attempt ended in
 * @param retryAt      when to run the target again if it failed and attempts are left; null when the failure
 *                     cannot succeed on a retry
 * @param errorCode    the failure's SQLSTATE or error number (null when none), for grouping failures by cause
 * @param dryRunResult what a dry run saw on the target; null for a real run
 */
public record AttemptResult(UUID targetExecutionId, int claim, String outcome, String message, Instant retryAt,
                            String errorCode, JsonObject dryRunResult) {
}
