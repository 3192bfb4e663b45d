package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.rules.AlertRule;
import io.fleetjobs.alerts.rules.CriterionValue;
import io.fleetjobs.alerts.rules.InstanceKey;
import io.fleetjobs.alerts.rules.OpenAlert;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * All SQL on alert instances. The evaluation statements run inside the caller's transaction, which
 * holds the rule's row lock, so two agents never apply the same transition twice. A template is bound to
 * one client when it is made, so those are made per call on the caller's connection from the SQL held here;
 * the statements on the pool are made once.
 */
public final class AlertRepository {
  private static final String COLUMNS = """
    alert_id, rule_name, dimensions, severity, monitor_condition, fired_at, resolved_at, metric_values, sequence""";
  private static final String LOCK_RULES = """
      SELECT rule_name, definition, last_evaluated_at FROM alerts.alert_rules
       WHERE rule_name = ANY(#{rules}) AND enabled
         FOR UPDATE SKIP LOCKED""";
  private static final String OPEN = """
      SELECT rule_name, alert_id, dimensions, fired_at, clear_since, sequence FROM alerts.alerts
       WHERE rule_name = ANY(#{rules}) AND monitor_condition = 'Fired'""";
  private static final String FIRE = """
      INSERT INTO alerts.alerts (alert_id, rule_name, instance_key, dimensions, severity, monitor_condition,
                                 fired_at, metric_values)
      VALUES (#{id}, #{rule}, #{key}, #{dimensions}, #{severity}, 'Fired', #{at}, #{values})""";
  private static final String CLEAR_SINCE = """
      UPDATE alerts.alerts SET clear_since = #{clearSince} WHERE alert_id = #{id}""";
  private static final String RESOLVE = """
      UPDATE alerts.alerts
         SET monitor_condition = 'Resolved', resolved_at = #{at}, clear_since = NULL, metric_values = #{values},
             sequence = sequence + 1
       WHERE alert_id = #{id}
      RETURNING sequence""";
  private static final String MARK_EVALUATED = """
      UPDATE alerts.alert_rules SET last_evaluated_at = #{at} WHERE rule_name = ANY(#{rules})""";
  private static final String CLOSE_OPEN = """
      UPDATE alerts.alerts SET monitor_condition = 'Resolved', resolved_at = now(), clear_since = NULL
       WHERE rule_name = #{rule} AND monitor_condition = 'Fired'""";

  private static final RowMapper<LockedRule> LOCKED_RULE = row -> new LockedRule(
    AlertRule.fromJson(row.getString("rule_name"), (JsonObject) row.getValue("definition")),
    instant(row.getOffsetDateTime("last_evaluated_at")));
  private static final RowMapper<OpenAlert> OPEN_ALERT = row -> new OpenAlert(
    row.getUUID("alert_id"),
    InstanceKey.fromJson((JsonArray) row.getValue("dimensions")),
    instant(row.getOffsetDateTime("fired_at")),
    instant(row.getOffsetDateTime("clear_since")),
    row.getInteger("sequence"));
  /** An alert as the API shows it. */
  private static final RowMapper<JsonObject> ALERT = row -> new JsonObject()
    .put("id", row.getUUID("alert_id").toString())
    .put("alertRule", row.getString("rule_name"))
    .put("severity", "Sev" + row.getInteger("severity"))
    .put("monitorCondition", row.getString("monitor_condition"))
    .put("dimensions", row.getValue("dimensions"))
    .put("firedDateTime", text(row.getOffsetDateTime("fired_at")))
    .put("resolvedDateTime", text(row.getOffsetDateTime("resolved_at")))
    .put("metricValues", row.getValue("metric_values"))
    .put("sequence", row.getInteger("sequence"));

  private final SqlTemplate<Map<String, Object>, RowSet<JsonObject>> byId;
  private final SqlTemplate<Map<String, Object>, RowSet<JsonObject>> page;

  /** A rule as locked for one evaluation: its current definition and when it was last evaluated. */
  public record LockedRule(AlertRule rule, Instant lastEvaluatedAt) {
  }

  /** What the alert list is filtered by; nulls filter nothing. */
  public record Filter(String ruleName, String monitorCondition, Instant since, Instant until) {
  }

  public AlertRepository(Pool pool) {
    byId = SqlTemplate.forQuery(pool, "SELECT " + COLUMNS + " FROM alerts.alerts WHERE alert_id = #{id}")
      .mapTo(ALERT);
    page = SqlTemplate.forQuery(pool, "SELECT " + COLUMNS + """
           FROM alerts.alerts
          WHERE (#{rule}::text IS NULL OR rule_name = #{rule})
            AND (#{condition}::text IS NULL OR monitor_condition = #{condition})
            AND (#{since}::timestamptz IS NULL OR coalesce(resolved_at, 'infinity') >= #{since})
            AND (#{until}::timestamptz IS NULL OR fired_at <= #{until})
          ORDER BY fired_at DESC, alert_id
          LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(ALERT);
  }

  /** The rules of these that exist, are enabled and are not being evaluated by another agent right now, locked. */
  public Future<List<LockedRule>> lockRules(SqlConnection conn, List<String> names) {
    return SqlTemplate.forQuery(conn, LOCK_RULES)
      .mapTo(LOCKED_RULE)
      .execute(Params.of("rules", names.toArray(String[]::new)))
      .map(Rows::list);
  }

  /** The alerts of these rules that fire now, by rule. */
  public Future<Map<String, List<OpenAlert>>> open(SqlConnection conn, List<String> ruleNames) {
    return SqlTemplate.forQuery(conn, OPEN)
      .execute(Params.of("rules", ruleNames.toArray(String[]::new)))
      .map(rows -> {
        Map<String, List<OpenAlert>> byRule = new HashMap<>();
        rows.forEach(row -> byRule.computeIfAbsent(row.getString("rule_name"), rule -> new ArrayList<>())
          .add(OPEN_ALERT.map(row)));
        return byRule;
      });
  }

  /** A new alert instance of a rule: its id, which instance, and the criteria values that fired it. */
  public record Firing(UUID alertId, InstanceKey key, List<CriterionValue> values) {
  }

  /** Every instance of one rule that fires in one evaluation, in one batch: a burst of failures fires many. */
  public Future<Void> fire(SqlConnection conn, AlertRule rule, Instant at, List<Firing> firings) {
    if (firings.isEmpty()) {
      return Future.succeededFuture();
    }
    return SqlTemplate.forQuery(conn, FIRE)
      .executeBatch(firings.stream()
        .map(firing -> Params.of(
          "id", firing.alertId(),
          "rule", rule.name(),
          "key", firing.key().asText(),
          "dimensions", firing.key().toJson(),
          "severity", rule.severity(),
          "at", Params.utc(at),
          "values", json(firing.values())))
        .toList())
      .mapEmpty();
  }

  /** @param clearSince null when the condition breaches again */
  public Future<Void> clearSince(SqlConnection conn, UUID alertId, Instant clearSince) {
    return SqlTemplate.forQuery(conn, CLEAR_SINCE)
      .execute(Params.of("id", alertId, "clearSince", Params.utc(clearSince)))
      .mapEmpty();
  }

  /** @return the sequence number of the Resolved notification */
  public Future<Integer> resolve(SqlConnection conn, UUID alertId, Instant at, List<CriterionValue> values) {
    return SqlTemplate.forQuery(conn, RESOLVE)
      .execute(Params.of("id", alertId, "at", Params.utc(at), "values", json(values)))
      .map(rows -> rows.iterator().next().getInteger("sequence"));
  }

  public Future<Void> markEvaluated(SqlConnection conn, List<String> ruleNames, Instant at) {
    return SqlTemplate.forQuery(conn, MARK_EVALUATED)
      .execute(Params.of("rules", ruleNames.toArray(String[]::new), "at", Params.utc(at)))
      .mapEmpty();
  }

  /** A rule deleted or disabled closes its open alerts quietly: nothing is left firing forever. */
  Future<Void> closeOpen(SqlConnection conn, String ruleName) {
    return SqlTemplate.forQuery(conn, CLOSE_OPEN)
      .execute(Params.of("rule", ruleName))
      .mapEmpty();
  }

  public Future<JsonObject> get(UUID alertId) {
    return byId.execute(Params.of("id", alertId))
      .compose(rows -> Rows.single(rows, () -> new NotFound("id", "Alert " + alertId + " does not exist.")));
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<JsonObject>> list(Filter filter, int limit, int offset) {
    return page.execute(Params.of(
        "rule", filter.ruleName(),
        "condition", filter.monitorCondition(),
        "since", Params.utc(filter.since()),
        "until", Params.utc(filter.until()),
        "limit", limit,
        "offset", offset))
      .map(Rows::list);
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

  static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  static String text(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
