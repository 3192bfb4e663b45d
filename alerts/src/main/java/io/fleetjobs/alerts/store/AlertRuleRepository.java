package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.rules.AlertRule;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.List;
import java.util.Map;

/**
 * All SQL on alert rules. A rule is stored as the JSON the API shows, after the agent validated it. Saves
 * and deletes are transactions that also close the rule's open alerts; their statements are made per call
 * on the transaction's connection, since a template is bound to one client.
 */
public final class AlertRuleRepository {
  private static final String EXISTING_GROUPS = """
      SELECT group_name FROM alerts.action_groups WHERE group_name = ANY(#{names})""";
  private static final String UPSERT = """
      INSERT INTO alerts.alert_rules (rule_name, definition, enabled) VALUES (#{name}, #{definition}, #{enabled})
      ON CONFLICT (rule_name) DO UPDATE
         SET definition = excluded.definition, enabled = excluded.enabled, updated_at = now()
      RETURNING (xmax = 0) AS created""";
  private static final String DELETE = "DELETE FROM alerts.alert_rules WHERE rule_name = #{name}";

  private static final RowMapper<AlertRule> RULE = row -> AlertRule.fromJson(row.getString("rule_name"),
    (JsonObject) row.getValue("definition"));
  private static final RowMapper<String> GROUP_NAME = row -> row.getString("group_name");

  private final Pool pool;
  private final AlertRepository alerts;
  private final SqlTemplate<Map<String, Object>, RowSet<AlertRule>> byName;
  private final SqlTemplate<Map<String, Object>, RowSet<AlertRule>> page;
  private final SqlTemplate<Map<String, Object>, RowSet<AlertRule>> enabled;

  /** @param alerts closes the open alerts of a rule deleted or disabled */
  public AlertRuleRepository(Pool pool, AlertRepository alerts) {
    this.pool = pool;
    this.alerts = alerts;
    byName = SqlTemplate.forQuery(pool, """
        SELECT rule_name, definition FROM alerts.alert_rules WHERE rule_name = #{name}""")
      .mapTo(RULE);
    page = SqlTemplate.forQuery(pool, """
        SELECT rule_name, definition FROM alerts.alert_rules ORDER BY rule_name LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(RULE);
    enabled = SqlTemplate.forQuery(pool, """
        SELECT rule_name, definition FROM alerts.alert_rules WHERE enabled ORDER BY rule_name""")
      .mapTo(RULE);
  }

  /** @return true when created. Action groups must exist; a disabled rule closes its open alerts. */
  public Future<Boolean> save(AlertRule rule) {
    return pool.withTransaction(conn -> requireActionGroups(conn, rule.actions())
      .compose(ok -> SqlTemplate.forQuery(conn, UPSERT)
        .execute(Params.of("name", rule.name(), "definition", rule.toJson(), "enabled", rule.enabled())))
      .compose(rows -> (rule.enabled() ? Future.succeededFuture() : alerts.closeOpen(conn, rule.name()))
        .map(closed -> rows.iterator().next().getBoolean("created"))));
  }

  private static Future<Void> requireActionGroups(SqlConnection conn, List<String> names) {
    if (names.isEmpty()) {
      return Future.succeededFuture();
    }
    return SqlTemplate.forQuery(conn, EXISTING_GROUPS)
      .mapTo(GROUP_NAME)
      .execute(Params.of("names", names.toArray(String[]::new)))
      .compose(rows -> {
        List<String> found = Rows.list(rows);
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
    return byName.execute(Params.of("name", name))
      .compose(rows -> Rows.single(rows, () -> notFound(name)));
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<AlertRule>> list(int limit, int offset) {
    return page.execute(Params.of("limit", limit, "offset", offset))
      .map(Rows::list);
  }

  public Future<List<AlertRule>> enabled() {
    return enabled.execute(Map.of())
      .map(Rows::list);
  }

  /** Deleting a rule closes its open alerts; their history stays. */
  public Future<Void> delete(String name) {
    return pool.withTransaction(conn -> SqlTemplate.forQuery(conn, DELETE)
      .execute(Params.of("name", name))
      .compose(rows -> rows.rowCount() == 0
        ? Future.failedFuture(notFound(name))
        : alerts.closeOpen(conn, name)));
  }

  private static NotFound notFound(String name) {
    return new NotFound("name", "Alert rule '" + name + "' does not exist.");
  }
}
