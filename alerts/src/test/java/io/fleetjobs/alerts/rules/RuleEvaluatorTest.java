package io.fleetjobs.alerts.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RuleEvaluatorTest {
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  @Test
  void the_documented_recipe_breaches_on_one_failure_within_the_window() {
    AlertRule rule = rule("PT5M", new JsonArray(), "Total", "GreaterThan", 0);
    List<Evaluation> evaluations = RuleEvaluator.evaluate(rule, snapshot(failed("job", "db1", 299, 1)), List.of());
    assertEquals(1, evaluations.size());
    assertEquals(InstanceKey.NONE, evaluations.get(0).key());
    assertEquals(1.0, evaluations.get(0).values().get(0).value());
    assertTrue(evaluations.get(0).breached());
  }

  @Test
  void samples_older_than_the_window_and_other_metrics_do_not_count() {
    AlertRule rule = rule("PT5M", new JsonArray(), "Total", "GreaterThan", 0);
    MetricSnapshot snapshot = snapshot(failed("job", "db1", 300, 4),
      new MetricSample(AlertMetric.SUCCESSFUL, "job", "s1", "srv", "db1", 1, 9));
    Evaluation evaluation = RuleEvaluator.evaluate(rule, snapshot, List.of()).get(0);
    assertEquals(0.0, evaluation.values().get(0).value());
    assertFalse(evaluation.breached());
  }

  @Test
  void a_split_rule_keeps_one_instance_per_value_and_honours_include_and_exclude() {
    JsonArray dimensions = new JsonArray()
      .add(new JsonObject().put("name", "targetDatabase").put("operator", "Exclude").put("values", new JsonArray().add("db3")));
    AlertRule rule = rule("PT1M", dimensions, "Total", "GreaterThanOrEqual", 2);
    MetricSnapshot snapshot = snapshot(failed("job", "db1", 1, 2), failed("job", "db2", 2, 1), failed("job", "db3", 3, 5),
      failed("other", "db1", 4, 1));
    List<Evaluation> evaluations = RuleEvaluator.evaluate(rule, snapshot, List.of());
    Set<String> breached = evaluations.stream().filter(Evaluation::breached).map(e -> e.key().describe())
      .collect(Collectors.toSet());
    assertEquals(Set.of("targetDatabase=db1"), breached, "db1 counts both jobs: 3 >= 2; db2 has 1; db3 is excluded");
    assertEquals(2, evaluations.size());
  }

  @Test
  void average_minimum_and_maximum_look_at_the_per_minute_totals_with_empty_minutes_as_zero() {
    MetricSnapshot snapshot = snapshot(failed("job", "db1", 10, 6), failed("job", "db1", 70, 2));
    assertEquals(8.0 / 3, value(rule("PT3M", new JsonArray(), "Average", "GreaterThan", 0), snapshot), 1e-9);
    assertEquals(0.0, value(rule("PT3M", new JsonArray(), "Minimum", "GreaterThan", 0), snapshot));
    assertEquals(6.0, value(rule("PT3M", new JsonArray(), "Maximum", "GreaterThan", 0), snapshot));
    assertEquals(8.0, value(rule("PT3M", new JsonArray(), "Count", "GreaterThan", 0), snapshot));
  }

  @Test
  void an_open_instance_without_samples_is_still_measured_so_it_can_clear() {
    JsonArray split = new JsonArray().add(new JsonObject().put("name", "jobName").put("values", new JsonArray().add("*")));
    AlertRule rule = rule("PT1M", split, "Total", "GreaterThan", 0);
    InstanceKey open = InstanceKey.of(failed("gone", "db1", 0, 1), List.of(Dimension.JOB_NAME));
    List<Evaluation> evaluations = RuleEvaluator.evaluate(rule, snapshot(), List.of(open));
    assertEquals(1, evaluations.size());
    assertFalse(evaluations.get(0).breached());
  }

  @Test
  void a_fired_alert_resolves_only_after_a_whole_window_clear() {
    AlertRule rule = rule("PT10S", new JsonArray(), "Total", "GreaterThan", 0);
    Evaluation clear = RuleEvaluator.evaluate(rule, snapshot(), List.of()).get(0);
    Evaluation breach = RuleEvaluator.evaluate(rule, snapshot(failed("j", "d", 1, 1)), List.of()).get(0);
    assertEquals(Transition.FIRE, Transition.of(rule, null, breach, NOW));
    assertEquals(Transition.NONE, Transition.of(rule, null, clear, NOW));
    OpenAlert fired = new OpenAlert(java.util.UUID.randomUUID(), InstanceKey.NONE, NOW, null, 1);
    assertEquals(Transition.START_CLEARING, Transition.of(rule, fired, clear, NOW));
    OpenAlert clearing = new OpenAlert(fired.alertId(), InstanceKey.NONE, NOW, NOW, 1);
    assertEquals(Transition.NONE, Transition.of(rule, clearing, clear, NOW.plusSeconds(9)));
    assertEquals(Transition.BREACH_AGAIN, Transition.of(rule, clearing, breach, NOW.plusSeconds(9)));
    assertEquals(Transition.RESOLVE, Transition.of(rule, clearing, clear, NOW.plusSeconds(10)));
    AlertRule manual = AlertRule.fromJson("rule", rule.toJson().put("autoMitigate", false));
    assertEquals(Transition.NONE, Transition.of(manual, clearing, clear, NOW.plusSeconds(60)));
  }

  @Test
  void a_rule_round_trips_through_its_json_and_accepts_display_names() {
    AlertRule rule = AlertRule.fromJson("r", new JsonObject()
      .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
        .put("metricName", "Elastic Jobs Executions Timed Out").put("operator", "GreaterThan").put("threshold", 2.5))))
      .put("actions", new JsonArray().add("ops")));
    assertEquals(AlertMetric.TIMEOUT, rule.allOf().get(0).metric());
    assertEquals("2.5", rule.allOf().get(0).thresholdText());
    assertEquals(3, rule.severity());
    assertEquals("PT5M", rule.windowSize().toString());
    assertEquals(rule, AlertRule.fromJson("r", rule.toJson()));
  }

  private static double value(AlertRule rule, MetricSnapshot snapshot) {
    return RuleEvaluator.evaluate(rule, snapshot, List.of()).get(0).values().get(0).value();
  }

  private static MetricSample failed(String job, String database, long ageSeconds, long count) {
    return new MetricSample(AlertMetric.FAILED, job, "s1", "srv", database, ageSeconds, count);
  }

  private static MetricSnapshot snapshot(MetricSample... samples) {
    return new MetricSnapshot(NOW, List.of(samples));
  }

  private static AlertRule rule(String window, JsonArray dimensions, String aggregation, String operator,
                                double threshold) {
    return AlertRule.fromJson("rule", new JsonObject()
      .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
        .put("metricName", "elastic_jobs_failed")
        .put("dimensions", dimensions)
        .put("timeAggregation", aggregation)
        .put("operator", operator)
        .put("threshold", threshold))))
      .put("windowSize", window)
      .put("evaluationFrequency", "PT1S"));
  }
}
