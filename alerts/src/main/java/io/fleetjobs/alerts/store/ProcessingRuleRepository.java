package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.suppress.ProcessingRule;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.List;
import java.util.Map;

/** All SQL on alert processing rules, stored as the JSON the API shows. */
public final class ProcessingRuleRepository {
  private static final RowMapper<ProcessingRule> RULE = row -> ProcessingRule.fromJson(row.getString("rule_name"),
    (JsonObject) row.getValue("definition"));

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> save;
  private final SqlTemplate<Map<String, Object>, RowSet<ProcessingRule>> byName;
  private final SqlTemplate<Map<String, Object>, RowSet<ProcessingRule>> page;
  private final SqlTemplate<Map<String, Object>, RowSet<ProcessingRule>> all;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;

  public ProcessingRuleRepository(Pool pool) {
    save = SqlTemplate.forQuery(pool, """
        INSERT INTO alerts.processing_rules (rule_name, definition) VALUES (#{name}, #{definition})
        ON CONFLICT (rule_name) DO UPDATE SET definition = excluded.definition, updated_at = now()
        RETURNING (xmax = 0) AS created""");
    byName = SqlTemplate.forQuery(pool, """
        SELECT rule_name, definition FROM alerts.processing_rules WHERE rule_name = #{name}""")
      .mapTo(RULE);
    page = SqlTemplate.forQuery(pool, """
        SELECT rule_name, definition FROM alerts.processing_rules ORDER BY rule_name LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(RULE);
    all = SqlTemplate.forQuery(pool, "SELECT rule_name, definition FROM alerts.processing_rules ORDER BY rule_name")
      .mapTo(RULE);
    delete = SqlTemplate.forQuery(pool, "DELETE FROM alerts.processing_rules WHERE rule_name = #{name}");
  }

  /** @return true when created */
  public Future<Boolean> save(ProcessingRule rule) {
    return save.execute(Params.of("name", rule.name(), "definition", rule.toJson()))
      .map(rows -> rows.iterator().next().getBoolean("created"));
  }

  public Future<ProcessingRule> get(String name) {
    return byName.execute(Params.of("name", name))
      .compose(rows -> Rows.single(rows, () -> notFound(name)));
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<ProcessingRule>> list(int limit, int offset) {
    return page.execute(Params.of("limit", limit, "offset", offset))
      .map(Rows::list);
  }

  /** Every rule, for one evaluation: there are few, and each transition checks all of them. */
  public Future<List<ProcessingRule>> all() {
    return all.execute(Map.of())
      .map(Rows::list);
  }

  public Future<Void> delete(String name) {
    return delete.execute(Params.of("name", name))
      .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound(name)) : Future.succeededFuture());
  }

  private static NotFound notFound(String name) {
    return new NotFound("name", "Alert processing rule '" + name + "' does not exist.");
  }
}
