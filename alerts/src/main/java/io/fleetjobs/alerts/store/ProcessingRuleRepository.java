package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.suppress.ProcessingRule;
import io.fleetjobs.common.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/** All SQL on alert processing rules, stored as the JSON the API shows. */
public final class ProcessingRuleRepository {
  private final Pool pool;

  public ProcessingRuleRepository(Pool pool) {
    this.pool = pool;
  }

  /** @return true when created */
  public Future<Boolean> save(ProcessingRule rule) {
    return pool.preparedQuery("""
        INSERT INTO alerts.processing_rules (rule_name, definition) VALUES ($1, $2)
        ON CONFLICT (rule_name) DO UPDATE SET definition = excluded.definition, updated_at = now()
        RETURNING (xmax = 0) AS created""")
      .execute(Tuple.of(rule.name(), rule.toJson()))
      .map(rows -> rows.iterator().next().getBoolean("created"));
  }

  public Future<ProcessingRule> get(String name) {
    return pool.preparedQuery("SELECT rule_name, definition FROM alerts.processing_rules WHERE rule_name = $1")
      .execute(Tuple.of(name))
      .map(rows -> {
        if (rows.size() == 0) {
          throw notFound(name);
        }
        return rules(rows).get(0);
      });
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<ProcessingRule>> list(int limit, int offset) {
    return pool.preparedQuery("""
        SELECT rule_name, definition FROM alerts.processing_rules ORDER BY rule_name LIMIT $1 OFFSET $2""")
      .execute(Tuple.of(limit, offset))
      .map(ProcessingRuleRepository::rules);
  }

  /** Every rule, for one evaluation: there are few, and each transition checks all of them. */
  public Future<List<ProcessingRule>> all() {
    return pool.query("SELECT rule_name, definition FROM alerts.processing_rules ORDER BY rule_name")
      .execute()
      .map(ProcessingRuleRepository::rules);
  }

  public Future<Void> delete(String name) {
    return pool.preparedQuery("DELETE FROM alerts.processing_rules WHERE rule_name = $1")
      .execute(Tuple.of(name))
      .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound(name)) : Future.succeededFuture());
  }

  private static List<ProcessingRule> rules(RowSet<Row> rows) {
    List<ProcessingRule> rules = new ArrayList<>();
    rows.forEach(row -> rules.add(ProcessingRule.fromJson(row.getString("rule_name"),
      (JsonObject) row.getValue("definition"))));
    return rules;
  }

  private static NotFound notFound(String name) {
    return new NotFound("name", "Alert processing rule '" + name + "' does not exist.");
  }
}
