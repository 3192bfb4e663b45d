package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.rules.AlertRule;
import io.fleetjobs.alerts.rules.CriterionValue;
import io.fleetjobs.alerts.rules.InstanceKey;
import io.fleetjobs.alerts.rules.OpenAlert;
import io.fleetjobs.common.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * All SQL on alert instances. The evaluation statements run inside the caller's transaction, which
 * holds the rule's row lock, so two agents never apply the same transition twice.
 */
public final class AlertRepository {
  private static final String COLUMNS = """
    alert_id, rule_name, dimensions, severity, monitor_condition, fired_at, resolved_at, metric_values, sequence""";
  private final Pool pool;

  /** A rule as locked for one evaluation: its current definition and when it was last evaluated. */
  public record LockedRule(AlertRule rule, Instant lastEvaluatedAt) {
  }

  /** What the alert list is filtered by; nulls filter nothing. */
  public record Filter(String ruleName, String monitorCondition, Instant since, Instant until) {
  }

  public AlertRepository(Pool pool) {
    this.pool = pool;
  }

  /** Empty when the rule is gone, disabled, or being evaluated by another agent right now. */
  public static Future<Optional<LockedRule>> lockRule(SqlConnection conn, String name) {
    return conn.preparedQuery("""
        SELECT rule_name, definition, last_evaluated_at FROM alerts.alert_rules
         WHERE rule_name = $1 AND enabled
           FOR UPDATE SKIP LOCKED""")
      .execute(Tuple.of(name))
      .map(rows -> {
        if (rows.size() == 0) {
          return Optional.empty();
        }
        Row row = rows.iterator().next();
        return Optional.of(new LockedRule(
          AlertRule.fromJson(row.getString("rule_name"), (JsonObject) row.getValue("definition")),
          instant(row.getOffsetDateTime("last_evaluated_at"))));
      });
  }

  public static Future<List<OpenAlert>> open(SqlConnection conn, String ruleName) {
    return conn.preparedQuery("""
        SELECT alert_id, dimensions, fired_at, clear_since, sequence FROM alerts.alerts
         WHERE rule_name = $1 AND monitor_condition = 'Fired'""")
      .execute(Tuple.of(ruleName))
      .map(rows -> {
        List<OpenAlert> open = new ArrayList<>();
        rows.forEach(row -> open.add(new OpenAlert(
          row.getUUID("alert_id"),
          InstanceKey.fromJson((JsonArray) row.getValue("dimensions")),
          instant(row.getOffsetDateTime("fired_at")),
          instant(row.getOffsetDateTime("clear_since")),
          row.getInteger("sequence"))));
        return open;
      });
  }

  public static Future<Void> fire(SqlConnection conn, UUID alertId, AlertRule rule, InstanceKey key, Instant at,
                                  List<CriterionValue> values) {
    return conn.preparedQuery("""
        INSERT INTO alerts.alerts (alert_id, rule_name, instance_key, dimensions, severity, monitor_condition,
                                   fired_at, metric_values)
        VALUES ($1, $2, $3, $4, $5, 'Fired', $6, $7)""")
      .execute(Tuple.of(alertId, rule.name(), key.asText(), key.toJson(), rule.severity(), time(at), json(values)))
      .mapEmpty();
  }

  /** @param clearSince null when the condition breaches again */
  public static Future<Void> clearSince(SqlConnection conn, UUID alertId, Instant clearSince) {
    return conn.preparedQuery("UPDATE alerts.alerts SET clear_since = $2 WHERE alert_id = $1")
      .execute(Tuple.of(alertId, time(clearSince)))
      .mapEmpty();
  }

  /** @return the sequence number of the Resolved notification */
  public static Future<Integer> resolve(SqlConnection conn, UUID alertId, Instant at, List<CriterionValue> values) {
    return conn.preparedQuery("""
        UPDATE alerts.alerts
           SET monitor_condition = 'Resolved', resolved_at = $2, clear_since = NULL, metric_values = $3,
               sequence = sequence + 1
         WHERE alert_id = $1
        RETURNING sequence""")
      .execute(Tuple.of(alertId, time(at), json(values)))
      .map(rows -> rows.iterator().next().getInteger("sequence"));
  }

  public static Future<Void> markEvaluated(SqlConnection conn, String ruleName, Instant at) {
    return conn.preparedQuery("UPDATE alerts.alert_rules SET last_evaluated_at = $2 WHERE rule_name = $1")
      .execute(Tuple.of(ruleName, time(at)))
      .mapEmpty();
  }

  /** A rule deleted or disabled closes its open alerts quietly: nothing is left firing forever. */
  static Future<Void> closeOpen(SqlConnection conn, String ruleName) {
    return conn.preparedQuery("""
        UPDATE alerts.alerts SET monitor_condition = 'Resolved', resolved_at = now(), clear_since = NULL
         WHERE rule_name = $1 AND monitor_condition = 'Fired'""")
      .execute(Tuple.of(ruleName))
      .mapEmpty();
  }

  public Future<JsonObject> get(UUID alertId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM alerts.alerts WHERE alert_id = $1")
      .execute(Tuple.of(alertId))
      .map(rows -> {
        if (rows.size() == 0) {
          throw new NotFound("id", "Alert " + alertId + " does not exist.");
        }
        return toJson(rows.iterator().next());
      });
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<JsonObject>> list(Filter filter, int limit, int offset) {
    return pool.preparedQuery("SELECT " + COLUMNS + """
           FROM alerts.alerts
          WHERE ($1::text IS NULL OR rule_name = $1)
            AND ($2::text IS NULL OR monitor_condition = $2)
            AND ($3::timestamptz IS NULL OR coalesce(resolved_at, 'infinity') >= $3)
            AND ($4::timestamptz IS NULL OR fired_at <= $4)
          ORDER BY fired_at DESC, alert_id
          LIMIT $5 OFFSET $6""")
      .execute(Tuple.of(filter.ruleName(), filter.monitorCondition(), time(filter.since()), time(filter.until()),
        limit, offset))
      .map(rows -> {
        List<JsonObject> alerts = new ArrayList<>();
        rows.forEach(row -> alerts.add(toJson(row)));
        return alerts;
      });
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
      .put("id", row.getUUID("alert_id").toString())
      .put("alertRule", row.getString("rule_name"))
      .put("severity", "Sev" + row.getInteger("severity"))
      .put("monitorCondition", row.getString("monitor_condition"))
      .put("dimensions", row.getValue("dimensions"))
      .put("firedDateTime", text(row.getOffsetDateTime("fired_at")))
      .put("resolvedDateTime", text(row.getOffsetDateTime("resolved_at")))
      .put("metricValues", row.getValue("metric_values"))
      .put("sequence", row.getInteger("sequence"));
  }

  private static JsonArray json(List<CriterionValue> values) {
    JsonArray array = new JsonArray();
    values.forEach(v -> array.add(new JsonObject()
      .put("metricName", v.criterion().metric().restName())
      .put("timeAggregation", v.criterion().timeAggregation().name())
      .put("operator", v.criterion().operator().name())
      .put("threshold", v.criterion().thresholdText())
      .put("metricValue", v.value())));
    return array;
  }

  static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  static String text(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
