package io.fleetjobs.alerts.store;

import static io.fleetjobs.alerts.store.AlertRepository.text;

import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The notification outbox. Rows are written with the alert transition that caused them; delivery
 * claims them with a lease and SKIP LOCKED, so a dead agent's rows go to the next claim and two
 * agents never hold the same row. Statements in a transaction are made per call on its connection, since
 * a template is bound to one client; the statements on the pool are made once.
 */
public final class OutboxRepository {
  private static final String CLAIMED_COLUMNS = """
    notification_id, claim, message_id, group_name, receiver_name, kind, address, subject, body, headers,
    attempts, max_attempts, is_test""";
  private static final String LOG_COLUMNS = """
    notification_id, message_id, alert_id, monitor_condition, is_test, group_name, receiver_name, kind, address,
    subject, status, attempts, total_attempts, max_attempts, next_attempt_at, suppressed_by, deferred_until,
    created_at, delivered_at, last_error, job_execution_id, execution_notification""";
  private static final String INSERT = """
      INSERT INTO alerts.notifications (notification_id, message_id, alert_id, monitor_condition, is_test,
        group_name, receiver_name, kind, address, subject, body, headers, status, max_attempts, suppressed_by,
        deferred_until, job_execution_id, execution_notification)
      VALUES (#{id}, #{messageId}, #{alertId}, #{condition}, #{test}, #{group}, #{receiver}, #{kind}, #{address},
              #{subject}, #{body}, #{headers}, #{status}, #{maxAttempts}, #{suppressedBy}, #{deferredUntil},
              #{jobExecutionId}, #{executionNotification})""";
  /**
   * The due rows are locked in due order, then each address keeps as many as it has free slots; the rows left over
   * are unlocked when the statement commits, for the next claim.
   */
  private static final String CLAIM = "UPDATE alerts.notifications n" + """
         SET status = 'Delivering', lease_owner = #{owner},
             lease_until = now() + #{leaseMs} * interval '1 millisecond', claim = n.claim + 1
       WHERE n.notification_id IN (
              SELECT r.notification_id
                FROM (SELECT d.notification_id,
                             row_number() OVER (PARTITION BY d.address
                                                ORDER BY d.next_attempt_at, d.notification_id) AS nth,
                             #{perAddress} - coalesce(b.in_flight, 0) AS free
                        FROM (SELECT c.notification_id, c.address, c.next_attempt_at
                                FROM alerts.notifications c
                               WHERE ((c.status = 'Pending' AND c.next_attempt_at <= now())
                                      OR (c.status = 'Delivering' AND c.lease_until < now()))
                                 AND c.address NOT IN (
                                       SELECT f.address FROM unnest(#{busy}::text[], #{inFlight}::int[])
                                              AS f(address, in_flight)
                                        WHERE f.in_flight >= #{perAddress})
                                 AND (#{only}::uuid[] IS NULL OR c.notification_id = ANY(#{only}))  -- a test send's
                               ORDER BY c.next_attempt_at
                               LIMIT #{max}
                                 FOR UPDATE SKIP LOCKED) d
                        LEFT JOIN unnest(#{busy}::text[], #{inFlight}::int[]) AS b(address, in_flight)
                          ON b.address = d.address) r
               WHERE r.nth <= r.free)
      RETURNING\s""" + CLAIMED_COLUMNS;
  private static final String CLOSE_DEFERRED = """
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
        FROM latest l JOIN alerts.notifications n ON n.notification_id = l.notification_id""";

  private static final RowMapper<ClaimedNotification> CLAIMED = row -> new ClaimedNotification(
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
    row.getBoolean("is_test"));
  private static final RowMapper<HeldNotification> HELD = row -> new HeldNotification(
    row.getUUID("alert_id"),
    row.getString("monitor_condition"),
    new Receiver(row.getString("group_name"), row.getString("receiver_name"),
      Receiver.Kind.valueOf(row.getString("kind")), row.getString("address"), true, null, null, false),
    row.getString("subject"),
    row.getString("body"),
    (JsonObject) row.getValue("headers"),
    row.getInteger("max_attempts"),
    row.getString("suppressed_by"),
    row.getLong("held").intValue());
  /** A notification as the delivery log shows it; its attempts are added to attemptLog. */
  private static final RowMapper<JsonObject> LOGGED = row -> new JsonObject()
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
    .put("jobExecutionId", row.getUUID("job_execution_id") == null ? null : row.getUUID("job_execution_id").toString())
    .put("executionNotification", row.getString("execution_notification"))
    .put("attemptLog", new JsonArray());
  private static final RowMapper<LoggedAttempt> ATTEMPT = row -> new LoggedAttempt(
    row.getUUID("notification_id"),
    new JsonObject()
      .put("attempt", row.getInteger("attempt"))
      .put("startedDateTime", text(row.getOffsetDateTime("started_at")))
      .put("latencyMs", row.getInteger("latency_ms"))
      .put("outcome", row.getString("outcome"))
      .put("responseCode", row.getInteger("response_code"))
      .put("error", row.getString("error"))
      .put("agent", row.getString("agent")));

  private final Pool pool;
  private final SqlTemplate<Map<String, Object>, RowSet<ClaimedNotification>> claim;
  private final SqlTemplate<Map<String, Object>, RowSet<Map.Entry<UUID, Duration>>> record;
  private final SqlTemplate<Map<String, Object>, RowSet<Long>> depth;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> release;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> replay;
  private final SqlTemplate<Map<String, Object>, RowSet<JsonObject>> byId;
  private final SqlTemplate<Map<String, Object>, RowSet<JsonObject>> ofAlert;
  private final SqlTemplate<Map<String, Object>, RowSet<JsonObject>> page;
  private final SqlTemplate<Map<String, Object>, RowSet<LoggedAttempt>> attempts;

  /** One delivery attempt of the log, with the notification it belongs to. */
  private record LoggedAttempt(UUID notificationId, JsonObject json) {
  }

  public OutboxRepository(Pool pool) {
    this.pool = pool;
    claim = SqlTemplate.forQuery(pool, CLAIM).mapTo(CLAIMED);
    // The row's age comes from the job database's clock, which also stamped created_at in the transition's
    // transaction: agents' clocks may differ from it, and from each other. One statement records a batch of
    // attempts, each fenced by its own claim.
    record = SqlTemplate.forQuery(pool, """
        WITH results AS (
          SELECT r.notification_id, r.claim, r.status, r.next_attempt_at, r.error, r.started_at, r.latency_ms,
                 r.outcome, r.response_code
            FROM unnest(#{ids}::uuid[], #{claims}::int[], #{statuses}::text[], #{nextAttemptAts}::timestamptz[],
                        #{errors}::text[], #{startedAts}::timestamptz[], #{latencies}::int[], #{outcomes}::text[],
                        #{responseCodes}::int[])
                 AS r(notification_id, claim, status, next_attempt_at, error, started_at, latency_ms, outcome,
                      response_code)),
        updated AS (
          UPDATE alerts.notifications n
             SET status = r.status, attempts = n.attempts + 1, total_attempts = n.total_attempts + 1,
                 next_attempt_at = coalesce(r.next_attempt_at, n.next_attempt_at), lease_owner = NULL,
                 lease_until = NULL,
                 delivered_at = CASE WHEN r.status = 'Delivered' THEN now() ELSE n.delivered_at END,
                 last_error = r.error
            FROM results r
           WHERE n.notification_id = r.notification_id AND n.claim = r.claim AND n.status = 'Delivering'
          RETURNING n.notification_id, n.total_attempts, n.created_at),
        attempt AS (
          INSERT INTO alerts.delivery_attempts (notification_id, attempt, started_at, latency_ms, outcome,
                                                response_code, error, agent)
          SELECT u.notification_id, u.total_attempts, r.started_at, r.latency_ms, r.outcome, r.response_code, r.error,
                 #{agent}
            FROM updated u JOIN results r ON r.notification_id = u.notification_id)
        SELECT notification_id,
               greatest(0, floor(extract(epoch FROM clock_timestamp() - created_at) * 1000))::bigint AS age_ms
          FROM updated""")
      .mapTo(row -> Map.entry(row.getUUID("notification_id"), Duration.ofMillis(row.getLong("age_ms"))));
    depth = SqlTemplate.forQuery(pool, """
        SELECT count(notification_id) AS depth FROM alerts.notifications WHERE status IN ('Pending', 'Delivering')""")
      .mapTo(row -> row.getLong("depth"));
    release = SqlTemplate.forQuery(pool, """
        UPDATE alerts.notifications SET status = 'Pending', lease_owner = NULL, lease_until = NULL
         WHERE notification_id = #{id} AND claim = #{claim} AND status = 'Delivering'""");
    replay = SqlTemplate.forQuery(pool, """
        UPDATE alerts.notifications
           SET status = 'Pending', attempts = 0, next_attempt_at = now(), last_error = NULL
         WHERE notification_id = #{id}
           AND status IN ('DeadLettered', 'Delivered', 'Suppressed', 'ReceiverDisabled')""");
    byId = log(pool, "notification_id = #{id}", "notification_id");
    ofAlert = log(pool, "alert_id = #{alertId}", "created_at, notification_id");
    page = log(pool, "(#{status}::text IS NULL OR status = #{status})"
      + " AND (#{execution}::uuid IS NULL OR job_execution_id = #{execution})", "created_at DESC, notification_id");
    attempts = SqlTemplate.forQuery(pool, """
        SELECT notification_id, attempt, started_at, latency_ms, outcome, response_code, error, agent
          FROM alerts.delivery_attempts WHERE notification_id = ANY(#{ids}) ORDER BY notification_id, attempt""")
      .mapTo(ATTEMPT);
  }

  /** @param where and {@code order} are constants of this class; the values travel as parameters */
  private static SqlTemplate<Map<String, Object>, RowSet<JsonObject>> log(Pool pool, String where, String order) {
    return SqlTemplate.forQuery(pool, "SELECT " + LOG_COLUMNS + " FROM alerts.notifications WHERE " + where
        + " ORDER BY " + order + " LIMIT #{limit} OFFSET #{offset}")
      .mapTo(LOGGED);
  }

  /** Inside the transaction of the transition, so the alert and its notifications commit together. */
  public Future<Void> insert(SqlConnection conn, List<NewNotification> notifications) {
    if (notifications.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Map<String, Object>> rows = new ArrayList<>();
    for (NewNotification n : notifications) {
      rows.add(Params.of(
        "id", n.id(),
        "messageId", n.messageId(),
        "alertId", n.alertId(),
        "condition", n.monitorCondition(),
        "test", n.test(),
        "group", n.receiver().groupName(),
        "receiver", n.receiver().name(),
        "kind", n.receiver().kind().name(),
        "address", n.receiver().address(),
        "subject", n.subject(),
        "body", n.body(),
        "headers", n.headers(),
        "status", n.status(),
        "maxAttempts", n.maxAttempts(),
        "suppressedBy", n.suppressedBy(),
        "deferredUntil", Params.utc(n.deferredUntil()),
        "jobExecutionId", n.jobExecutionId(),
        "executionNotification", n.executionNotification()));
    }
    return SqlTemplate.forQuery(conn, INSERT)
      .executeBatch(rows)
      .mapEmpty();
  }

  /**
   * Claims due rows, and rows whose holder's lease ran out (that agent died mid-attempt), oldest first, at most
   * {@code slots} allow per receiver address.
   *
   * @param max how many rows in all
   */
  public Future<List<ClaimedNotification>> claim(String owner, Duration lease, int max, AddressSlots slots) {
    return claim.execute(params(owner, lease, max, slots, null)).map(Rows::list);
  }

  private static Map<String, Object> params(String owner, Duration lease, int max, AddressSlots slots,
                                            List<UUID> only) {
    List<String> busy = List.copyOf(slots.inFlight().keySet());
    return Params.of(
        "owner", owner,
        "leaseMs", lease.toMillis(),
        "perAddress", slots.perAddress(),
        "busy", busy.toArray(String[]::new),
        "inFlight", busy.stream().map(slots.inFlight()::get).toArray(Integer[]::new),
        "max", max,
        "only", only == null ? null : only.toArray(UUID[]::new));
  }

  /**
   * Claims rows that this transaction inserted, before they commit: a poll of the outbox, here or on another
   * agent, never sees them Pending, so a test send attempts every one of its rows itself.
   */
  public Future<List<ClaimedNotification>> claimInserted(SqlConnection conn, String owner, Duration lease,
                                                         List<UUID> ids) {
    return SqlTemplate.forQuery(conn, CLAIM)
      .mapTo(CLAIMED)
      .execute(params(owner, lease, ids.size(), AddressSlots.unlimited(ids.size()), ids))
      .map(Rows::list);
  }

  /**
   * Records a batch of attempts and each row's next state in one statement, each fenced by its claim: a result
   * from an agent that lost its lease changes nothing.
   *
   * @return how long ago each row whose claim held was written (with its alert's transition, for a real
   *   notification); a row whose claim was lost is missing
   */
  public Future<Map<UUID, Duration>> record(List<FinishedAttempt> finished, String agent) {
    if (finished.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    int n = finished.size();
    UUID[] ids = new UUID[n];
    Integer[] claims = new Integer[n];
    String[] statuses = new String[n];
    OffsetDateTime[] nextAttemptAts = new OffsetDateTime[n];
    String[] errors = new String[n];
    OffsetDateTime[] startedAts = new OffsetDateTime[n];
    Integer[] latencies = new Integer[n];
    String[] outcomes = new String[n];
    Integer[] responseCodes = new Integer[n];
    for (int i = 0; i < n; i++) {
      ClaimedNotification row = finished.get(i).row();
      AttemptRecord attempt = finished.get(i).attempt();
      ids[i] = row.id();
      claims[i] = row.claim();
      statuses[i] = attempt.status();
      nextAttemptAts[i] = Params.utc(attempt.nextAttemptAt());
      errors[i] = attempt.error();
      startedAts[i] = Params.utc(attempt.startedAt());
      latencies[i] = (int) Math.min(Integer.MAX_VALUE, attempt.latencyMs());
      outcomes[i] = attempt.outcome();
      responseCodes[i] = attempt.responseCode();
    }
    return record.execute(Params.of(
        "ids", ids,
        "claims", claims,
        "statuses", statuses,
        "nextAttemptAts", nextAttemptAts,
        "errors", errors,
        "startedAts", startedAts,
        "latencies", latencies,
        "outcomes", outcomes,
        "responseCodes", responseCodes,
        "agent", agent))
      .map(rows -> {
        Map<UUID, Duration> ages = new HashMap<>();
        rows.forEach(age -> ages.put(age.getKey(), age.getValue()));
        return ages;
      });
  }

  /** Notifications waiting to be sent or being sent, by every agent: the outbox's depth. */
  public Future<Long> depth() {
    return depth.execute(Map.of())
      .map(rows -> rows.iterator().next());
  }

  /**
   * Closes the Defer windows that ended: for each alert still firing, one summary per receiver (made by
   * {@code summarize} from the newest held row) is queued; everything held is closed as Summarized, or
   * as Suppressed when its alert stopped firing meanwhile. One transaction, so nothing is sent twice.
   *
   * @return how many summaries were queued
   */
  public Future<Integer> summarizeDeferred(Function<HeldNotification, NewNotification> summarize) {
    return pool.withTransaction(conn -> SqlTemplate.forQuery(conn, CLOSE_DEFERRED)
      .mapTo(HELD)
      .execute(Map.of())
      .compose(held -> {
        List<NewNotification> summaries = new ArrayList<>();
        held.forEach(newest -> summaries.add(summarize.apply(newest)));
        return insert(conn, summaries).map(summaries.size());
      }));
  }

  /** Hands a claimed row back unspent, for an agent that is stopping. */
  public Future<Void> release(ClaimedNotification row) {
    return release.execute(Params.of("id", row.id(), "claim", row.claim()))
      .mapEmpty();
  }

  /** Sends a finished row again, with the same webhook-id and a fresh round of attempts. */
  public Future<JsonObject> replay(UUID id) {
    return replay.execute(Params.of("id", id))
      .compose(rows -> get(id).map(row -> {
        if (rows.rowCount() == 0) {
          throw new Conflict("id", "Notification " + id + " is " + row.getString("status")
            + "; only a finished notification can be replayed.");
        }
        return row;
      }));
  }

  public Future<JsonObject> get(UUID id) {
    return withAttempts(byId, Params.of("id", id, "limit", 1, "offset", 0))
      .compose(rows -> Rows.single(rows, () -> new NotFound("id", "Notification " + id + " does not exist.")));
  }

  /** The delivery log of one alert, oldest first, each row with its attempts. */
  public Future<List<JsonObject>> ofAlert(UUID alertId, int limit, int offset) {
    return withAttempts(ofAlert, Params.of("alertId", alertId, "limit", limit, "offset", offset));
  }

  /** The delivery log across alerts, newest first; {@code status} null for all. */
  public Future<List<JsonObject>> list(String status, int limit, int offset) {
    return list(status, null, limit, offset);
  }

  /** As {@link #list(String, int, int)}; {@code jobExecutionId} not null keeps the notices about that execution. */
  public Future<List<JsonObject>> list(String status, UUID jobExecutionId, int limit, int offset) {
    return withAttempts(page, Params.of("status", status, "execution", jobExecutionId, "limit", limit,
      "offset", offset));
  }

  private Future<List<JsonObject>> withAttempts(SqlTemplate<Map<String, Object>, RowSet<JsonObject>> log,
                                                Map<String, Object> params) {
    return log.execute(params)
      .compose(rows -> {
        Map<UUID, JsonObject> notifications = new LinkedHashMap<>();
        rows.forEach(row -> notifications.put(UUID.fromString(row.getString("id")), row));
        if (notifications.isEmpty()) {
          return Future.succeededFuture(List.of());
        }
        return attempts.execute(Params.of("ids", notifications.keySet().toArray(UUID[]::new)))
          .map(found -> {
            found.forEach(a -> notifications.get(a.notificationId()).getJsonArray("attemptLog").add(a.json()));
            return List.copyOf(notifications.values());
          });
      });
  }
}
