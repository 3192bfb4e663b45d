package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.rules.AlertRule;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** All SQL on alert rules. A rule is stored as the JSON the API shows, after the agent validated it. */
public final class AlertRuleRepository {
  private final Pool pool;

  public AlertRuleRepository(Pool pool) {
    this.pool = pool;
  }

  /** @return true when created. Action groups must exist; a disabled rule closes its open alerts. */
  public Future<Boolean> save(AlertRule rule) {
    return pool.withTransaction(conn -> requireActionGroups(conn, rule.actions())
      .compose(ok -> conn.preparedQuery("""
          INSERT INTO alerts.alert_rules (rule_name, definition, enabled) VALUES ($1, $2, $3)
          ON CONFLICT (rule_name) DO UPDATE
             SET definition = excluded.definition, enabled = excluded.enabled, updated_at = now()
          RETURNING (xmax = 0) AS created""")
        .execute(Tuple.of(rule.name(), rule.toJson(), rule.enabled())))
      .compose(rows -> (rule.enabled() ? Future.succeededFuture() : AlertRepository.closeOpen(conn, rule.name()))
        .map(closed -> rows.iterator().next().getBoolean("created"))));
  }

  private static Future<Void> requireActionGroups(SqlConnection conn, List<String> names) {
    if (names.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("SELECT group_name FROM alerts.action_groups WHERE group_name = ANY($1)")
      .execute(Tuple.of(names.toArray(String[]::new)))
      .compose(rows -> {
        List<String> found = new ArrayList<>();
        rows.forEach(row -> found.add(row.getString("group_name")));
        for (int i = 0; i < names.size(); i++) {
          if (!found.contains(names.get(i))) {
            return Future.failedFuture(new InvalidInput("actions[" + i + "]",
              "Action group '" + names.get(i) + "' does not exist."));
          }
        }
        return Future.succeededFuture();
      });
  }

  public Future<AlertRule> get(String name) {
    return pool.preparedQuery("SELECT rule_name, definition FROM alerts.alert_rules WHERE rule_name = $1")
      .execute(Tuple.of(name))
      .map(rows -> {
        if (rows.size() == 0) {
          throw notFound(name);
        }
        return toRule(rows.iterator().next());
      });
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<AlertRule>> list(int limit, int offset) {
    return pool.preparedQuery("""
        SELECT rule_name, definition FROM alerts.alert_rules ORDER BY rule_name LIMIT $1 OFFSET $2""")
      .execute(Tuple.of(limit, offset))
      .map(rows -> {
        List<AlertRule> rules = new ArrayList<>();
        rows.forEach(row -> rules.add(toRule(row)));
        return rules;
      });
  }

  public Future<List<AlertRule>> enabled() {
    return pool.query("SELECT rule_name, definition FROM alerts.alert_rules WHERE enabled ORDER BY rule_name")
      .execute()
      .map(rows -> {
        List<AlertRule> rules = new ArrayList<>();
        rows.forEach(row -> rules.add(toRule(row)));
        return rules;
      });
  }

  /** Deleting a rule closes its open alerts; their history stays. */
  public Future<Void> delete(String name) {
    return pool.withTransaction(conn -> conn.preparedQuery("DELETE FROM alerts.alert_rules WHERE rule_name = $1")
      .execute(Tuple.of(name))
      .compose(rows -> rows.rowCount() == 0
        ? Future.failedFuture(notFound(name))
        : AlertRepository.closeOpen(conn, name)));
  }

  private static AlertRule toRule(Row row) {
    return AlertRule.fromJson(row.getString("rule_name"), (JsonObject) row.getValue("definition"));
  }

  private static NotFound notFound(String name) {
    return new NotFound("name", "Alert rule '" + name + "' does not exist.");
  }
}
