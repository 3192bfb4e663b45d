package io.fleetjobs.server.jobs.notices;

import io.fleetjobs.common.sql.Params;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The queue of notices the job database writes when an execution ends or pauses (R__notifications.sql). An agent
 * takes due notices and writes their outbox rows in one transaction: a notice is marked taken only if its rows
 * commit, and SKIP LOCKED leaves the notices another agent is taking to it, so each is queued once.
 */
public final class ExecutionNoticeRepository {
  private static final String TAKE_DUE = """
      UPDATE jobs_internal.execution_notices n
         SET enqueued_at = now()
       WHERE n.notice_id IN (
               SELECT d.notice_id FROM jobs_internal.execution_notices d
                WHERE d.enqueued_at IS NULL
                ORDER BY d.notice_id
                LIMIT #{max}
                  FOR UPDATE SKIP LOCKED)
      RETURNING n.notice_id, n.job_execution_id, n.notification_name, n.action_groups, n.summary""";

  /** A notice due: which execution, for which notification, to which groups, saying what. */
  public record DueNotice(long id, UUID jobExecutionId, String notificationName, List<String> actionGroups,
                          JsonObject summary) {
  }

  private static final RowMapper<DueNotice> DUE = row -> new DueNotice(
    row.getLong("notice_id"),
    row.getUUID("job_execution_id"),
    row.getString("notification_name"),
    Arrays.asList(row.getArrayOfStrings("action_groups")),
    (JsonObject) row.getValue("summary"));

  private final Pool pool;

  public ExecutionNoticeRepository(Pool pool) {
    this.pool = pool;
  }

  /**
   * Takes up to {@code max} due notices, oldest first, and hands each to {@code enqueue} on the same transaction.
   *
   * @param max     at most this many notices per transaction (bound as #{max})
   * @param enqueue writes a notice's outbox rows on the connection and answers how many
   * @return how many notices were taken, and how many outbox rows they made
   */
  public Future<Taken> takeDue(int max, BiFunction<SqlConnection, DueNotice, Future<Integer>> enqueue) {
    return pool.withTransaction(conn -> SqlTemplate.forQuery(conn, TAKE_DUE)
      .mapTo(DUE)
      .execute(Params.of("max", max))
      .compose(rows -> {
        List<DueNotice> due = new ArrayList<>();
        rows.forEach(due::add);
        Future<Integer> written = Future.succeededFuture(0);
        for (DueNotice notice : due) {
          written = written.compose(sum -> enqueue.apply(conn, notice).map(n -> sum + n));
        }
        return written.map(sum -> new Taken(due.size(), sum));
      }));
  }

  /** What one transaction took: notices, and the outbox rows they made. */
  public record Taken(int notices, int rows) {
  }
}
