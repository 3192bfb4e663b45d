package io.fleetjobs.alerts.store;

import static io.fleetjobs.alerts.store.AlertRepository.text;
import static io.fleetjobs.alerts.store.AlertRepository.time;

import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The notification outbox. Rows are written with the alert transition that caused them; delivery
 * claims them with a lease and SKIP LOCKED, so a dead agent's rows go to the next claim and two
 * agents never hold the same row.
 */
public final class OutboxRepository {
  private static final String CLAIMED_COLUMNS = """
    notification_id, claim, message_id, group_name, receiver_name, kind, address, subject, body, headers,
    attempts, max_attempts, is_test""";
  private static final String LOG_COLUMNS = """
    notification_id, message_id, alert_id, monitor_condition, is_test, group_name, receiver_name, kind, address,
    subject, status, attempts, total_attempts, max_attempts, next_attempt_at, suppressed_by, deferred_until,
    created_at, delivered_at, last_error""";
  private final Pool pool;

  public OutboxRepository(Pool pool) {
    this.pool = pool;
  }

  /** Inside the transaction of the transition, so the alert and its notifications commit together. */
  public static Future<Void> insert(SqlClient conn, List<NewNotification> notifications) {
    if (notifications.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>();
    for (NewNotification n : notifications) {
      rows.add(Tuple.tuple()
        .addUUID(n.id())
        .addString(n.messageId())
        .addUUID(n.alertId())
        .addString(n.monitorCondition())
        .addBoolean(n.test())
        .addString(n.receiver().groupName())
        .addString(n.receiver().name())
        .addString(n.receiver().kind().name())
        .addString(n.receiver().address())
        .addString(n.subject())
        .addString(n.body())
        .addValue(n.headers())
        .addString(n.status())
        .addInteger(n.maxAttempts())
        .addString(n.suppressedBy())
        .addOffsetDateTime(time(n.deferredUntil())));
    }
    return conn.preparedQuery("""
        INSERT INTO alerts.notifications (notification_id, message_id, alert_id, monitor_condition, is_test,
          group_name, receiver_name, kind, address, subject, body, headers, status, max_attempts, suppressed_by,
          deferred_until)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)""")
      .executeBatch(rows)
      .mapEmpty();
  }

  /**
   * Claims due rows, and rows whose holder's lease ran out (that agent died mid-attempt).
   *
   * @param saturated addresses that already have as many attempts in flight as they may
   * @param only      when not null, claims only these rows (a test send delivers its own rows)
   */
  public Future<List<ClaimedNotification>> claim(String owner, Duration lease, int max, List<String> saturated,
                                                 List<UUID> only) {
    return pool.preparedQuery("UPDATE alerts.notifications n" + """
           SET status = 'Delivering', lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond',
               claim = n.claim + 1
         WHERE n.notification_id IN (
                SELECT c.notification_id FROM alerts.notifications c
                 WHERE ((c.status = 'Pending' AND c.next_attempt_at <= now())
                        OR (c.status = 'Delivering' AND c.lease_until < now()))
                   AND c.address <> ALL($3)
                   AND ($5::uuid[] IS NULL OR c.notification_id = ANY($5))
                 ORDER BY c.next_attempt_at
                 LIMIT $4
                   FOR UPDATE SKIP LOCKED)
        RETURNING\s""" + CLAIMED_COLUMNS)
      .execute(Tuple.of(
        owner,
        lease.toMillis(),
        saturated.toArray(String[]::new),
        max,
        only == null ? null : only.toArray(UUID[]::new)))
      .map(rows -> {
        List<ClaimedNotification> claimed = new ArrayList<>();
        rows.forEach(row -> claimed.add(new ClaimedNotification(
          row.getUUID("notification_id"),
          row.getInteger("claim"),
          row.getString("message_id"),
          row.getString("group_name"),
          row.getString("receiver_name"),
          Receiver.Kind.valueOf(row.getString("kind")),
          row.getString("address"),
          row.getString("subject"),
          row.getString("body"),
          (JsonObject) row.getValue("headers"),
          row.getInteger("attempts"),
          row.getInteger("max_attempts"),
          row.getBoolean("is_test"))));
        return claimed;
      });
  }

  /**
   * Records the attempt and the row's next state in one statement, fenced by the claim: a result from
   * an agent that lost its lease changes nothing.
   *
   * @return false when the claim was lost
   */
  public Future<Boolean> record(ClaimedNotification row, AttemptRecord attempt, String agent) {
    return pool.preparedQuery("""
        WITH updated AS (
          UPDATE alerts.notifications
             SET status = $3, attempts = attempts + 1, total_attempts = total_attempts + 1,
                 next_attempt_at = coalesce($4, next_attempt_at), lease_owner = NULL, lease_until = NULL,
                 delivered_at = CASE WHEN $3 = 'Delivered' THEN now() ELSE delivered_at END,
                 last_error = $5
           WHERE notification_id = $1 AND claim = $2 AND status = 'Delivering'
          RETURNING notification_id, total_attempts)
        INSERT INTO alerts.delivery_attempts (notification_id, attempt, started_at, latency_ms, outcome, response_code,
                                              error, agent)
        SELECT notification_id, total_attempts, $6, $7, $8, $9, $5, $10 FROM updated""")
      .execute(Tuple.tuple()
        .addUUID(row.id())
        .addInteger(row.claim())
        .addString(attempt.status())
        .addOffsetDateTime(time(attempt.nextAttemptAt()))
        .addString(attempt.error())
        .addOffsetDateTime(time(attempt.startedAt()))
        .addInteger((int) Math.min(Integer.MAX_VALUE, attempt.latencyMs()))
        .addString(attempt.outcome())
        .addInteger(attempt.responseCode())
        .addString(agent))
      .map(rows -> rows.rowCount() == 1);
  }

  /**
   * Closes the Defer windows that ended: for each alert still firing, one summary per receiver (made by
   * {@code summarize} from the newest held row) is queued; everything held is closed as Summarized, or
   * as Suppressed when its alert stopped firing meanwhile. One transaction, so nothing is sent twice.
   *
   * @return how many summaries were queued
   */
  public Future<Integer> summarizeDeferred(Function<HeldNotification, NewNotification> summarize) {
    return pool.withTransaction(conn -> conn.query("""
          WITH due AS (
            SELECT notification_id FROM alerts.notifications
             WHERE status = 'Deferred' AND deferred_until <= now()
               FOR UPDATE SKIP LOCKED
          ), closed AS (
            UPDATE alerts.notifications n
               SET status = CASE WHEN a.monitor_condition = 'Fired' THEN 'Summarized' ELSE 'Suppressed' END
              FROM due d, alerts.alerts a
             WHERE n.notification_id = d.notification_id AND a.alert_id = n.alert_id
            RETURNING n.notification_id, n.alert_id, n.group_name, n.receiver_name, n.created_at,
                      a.monitor_condition AS alert_state
          ), latest AS (
            SELECT DISTINCT ON (alert_id, group_name, receiver_name) notification_id,
                   count(*) OVER (PARTITION BY alert_id, group_name, receiver_name) AS held
              FROM closed
             WHERE alert_state = 'Fired'
             ORDER BY alert_id, group_name, receiver_name, created_at DESC
          )
          SELECT n.alert_id, n.monitor_condition, n.group_name, n.receiver_name, n.kind, n.address, n.subject,
                 n.body, n.headers, n.max_attempts, n.suppressed_by, l.held
            FROM latest l JOIN alerts.notifications n ON n.notification_id = l.notification_id""")
      .execute()
      .compose(rows -> {
        List<NewNotification> summaries = new ArrayList<>();
        rows.forEach(row -> summaries.add(summarize.apply(new HeldNotification(
          row.getUUID("alert_id"),
          row.getString("monitor_condition"),
          new Receiver(row.getString("group_name"), row.getString("receiver_name"),
            Receiver.Kind.valueOf(row.getString("kind")), row.getString("address"), true, null, false),
          row.getString("subject"),
          row.getString("body"),
          (JsonObject) row.getValue("headers"),
          row.getInteger("max_attempts"),
          row.getString("suppressed_by"),
          row.getLong("held").intValue()))));
        return insert(conn, summaries).map(summaries.size());
      }));
  }

  /** Hands a claimed row back unspent, for an agent that is stopping. */
  public Future<Void> release(ClaimedNotification row) {
    return pool.preparedQuery("""
        UPDATE alerts.notifications SET status = 'Pending', lease_owner = NULL, lease_until = NULL
         WHERE notification_id = $1 AND claim = $2 AND status = 'Delivering'""")
      .execute(Tuple.of(row.id(), row.claim()))
      .mapEmpty();
  }

  /** Sends a finished row again, with the same webhook-id and a fresh round of attempts. */
  public Future<JsonObject> replay(UUID id) {
    return pool.preparedQuery("""
        UPDATE alerts.notifications
           SET status = 'Pending', attempts = 0, next_attempt_at = now(), last_error = NULL
         WHERE notification_id = $1
           AND status IN ('DeadLettered', 'Delivered', 'Suppressed', 'ReceiverDisabled')""")
      .execute(Tuple.of(id))
      .compose(rows -> get(id).map(row -> {
        if (rows.rowCount() == 0) {
          throw new Conflict("id", "Notification " + id + " is " + row.getString("status")
            + "; only a finished notification can be replayed.");
        }
        return row;
      }));
  }

  public Future<JsonObject> get(UUID id) {
    return log("notification_id = $1", "notification_id", Tuple.of(id, 1, 0)).map(rows -> {
      if (rows.isEmpty()) {
        throw new NotFound("id", "Notification " + id + " does not exist.");
      }
      return rows.get(0);
    });
  }

  /** The delivery log of one alert, oldest first, each row with its attempts. */
  public Future<List<JsonObject>> ofAlert(UUID alertId, int limit, int offset) {
    return log("alert_id = $1", "created_at, notification_id", Tuple.of(alertId, limit, offset));
  }

  /** The delivery log across alerts, newest first; {@code status} null for all. */
  public Future<List<JsonObject>> list(String status, int limit, int offset) {
    return log("($1::text IS NULL OR status = $1)", "created_at DESC, notification_id", Tuple.of(status, limit, offset));
  }

  /** @param where and {@code order} are constants of this class; the values travel in {@code params} */
  private Future<List<JsonObject>> log(String where, String order, Tuple params) {
    return pool.preparedQuery("SELECT " + LOG_COLUMNS + " FROM alerts.notifications WHERE " + where
        + " ORDER BY " + order + " LIMIT $2 OFFSET $3")
      .execute(params)
      .compose(rows -> {
        Map<UUID, JsonObject> notifications = new LinkedHashMap<>();
        rows.forEach(row -> notifications.put(row.getUUID("notification_id"), toJson(row)));
        if (notifications.isEmpty()) {
          return Future.succeededFuture(List.of());
        }
        return pool.preparedQuery("""
            SELECT notification_id, attempt, started_at, latency_ms, outcome, response_code, error, agent
              FROM alerts.delivery_attempts WHERE notification_id = ANY($1) ORDER BY notification_id, attempt""")
          .execute(Tuple.of((Object) notifications.keySet().toArray(UUID[]::new)))
          .map(attempts -> {
            attempts.forEach(a -> notifications.get(a.getUUID("notification_id")).getJsonArray("attemptLog")
              .add(attemptJson(a)));
            return List.copyOf(notifications.values());
          });
      });
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
      .put("id", row.getUUID("notification_id").toString())
      .put("webhookId", row.getString("message_id"))
      .put("alertId", row.getUUID("alert_id") == null ? null : row.getUUID("alert_id").toString())
      .put("monitorCondition", row.getString("monitor_condition"))
      .put("test", row.getBoolean("is_test"))
      .put("actionGroup", row.getString("group_name"))
      .put("receiver", row.getString("receiver_name"))
      .put("kind", row.getString("kind"))
      .put("address", row.getString("address"))
      .put("subject", row.getString("subject"))
      .put("status", row.getString("status"))
      .put("attempts", row.getInteger("total_attempts"))
      .put("maxAttempts", row.getInteger("max_attempts"))
      .put("nextAttemptDateTime", text(row.getOffsetDateTime("next_attempt_at")))
      .put("suppressedBy", row.getString("suppressed_by"))
      .put("deferredUntil", text(row.getOffsetDateTime("deferred_until")))
      .put("createdDateTime", text(row.getOffsetDateTime("created_at")))
      .put("deliveredDateTime", text(row.getOffsetDateTime("delivered_at")))
      .put("lastError", row.getString("last_error"))
      .put("attemptLog", new JsonArray());
  }

  private static JsonObject attemptJson(Row row) {
    return new JsonObject()
      .put("attempt", row.getInteger("attempt"))
      .put("startedDateTime", text(row.getOffsetDateTime("started_at")))
      .put("latencyMs", row.getInteger("latency_ms"))
      .put("outcome", row.getString("outcome"))
      .put("responseCode", row.getInteger("response_code"))
      .put("error", row.getString("error"))
      .put("agent", row.getString("agent"));
  }
}
