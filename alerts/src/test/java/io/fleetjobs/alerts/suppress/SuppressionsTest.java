package io.fleetjobs.alerts.suppress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.alerts.suppress.Suppressions.Decision;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SuppressionsTest {
  private static final Instant AT = Instant.parse("2026-12-01T23:00:00Z");
  private static final AlertFacts DISK_FULL = new AlertFacts("Disk full on db-1", 2, "Fired", "Free space below 5%");
  private static final String UNTIL_MIDNIGHT = oneOff("2026-12-02T00:00:00");
  private static final String UNTIL_TWO = oneOff("2026-12-02T02:00:00");

  @Test
  void drop_beats_defer_even_when_the_defer_lasts_longer() {
    ProcessingRule longDefer = rule("long-defer", "Defer", UNTIL_TWO);
    ProcessingRule shortDrop = rule("short-drop", "Drop", UNTIL_MIDNIGHT);
    Decision expected = new Decision(SuppressionMode.Drop, Instant.parse("2026-12-02T00:00:00Z"), "short-drop");
    assertEquals(Optional.of(expected), Suppressions.decide(List.of(longDefer, shortDrop), DISK_FULL, AT));
    assertEquals(Optional.of(expected), Suppressions.decide(List.of(shortDrop, longDefer), DISK_FULL, AT));
  }

  @Test
  void among_defer_rules_the_latest_end_wins() {
    List<ProcessingRule> rules = List.of(rule("to-midnight", "Defer", UNTIL_MIDNIGHT), rule("to-two", "Defer",
      UNTIL_TWO));
    assertEquals(Optional.of(new Decision(SuppressionMode.Defer, Instant.parse("2026-12-02T02:00:00Z"), "to-two")),
      Suppressions.decide(rules, DISK_FULL, AT));
  }

  @Test
  void nothing_is_decided_when_no_rule_is_active_and_matching() {
    ProcessingRule disabled = ProcessingRule.fromJson("disabled", new JsonObject()
      .put("mode", "Drop")
      .put("enabled", false));
    ProcessingRule over = rule("over", "Drop", UNTIL_MIDNIGHT);
    ProcessingRule otherAlert = ProcessingRule.fromJson("other", new JsonObject("""
      {"mode": "Drop", "conditions": [{"field": "AlertRuleName", "operator": "Equals", "values": ["CPU high"]}]}
      """));
    List<ProcessingRule> rules = List.of(disabled, over, otherAlert);
    assertEquals(Optional.empty(), Suppressions.decide(rules, DISK_FULL, Instant.parse("2026-12-02T00:00:00Z")));
  }

  @Test
  void every_condition_of_a_rule_has_to_match() {
    ProcessingRule rule = ProcessingRule.fromJson("sev2-disk", new JsonObject("""
      {"mode": "Drop", "conditions": [
        {"field": "Severity", "operator": "Equals", "values": ["Sev2"]},
        {"field": "AlertRuleName", "operator": "Contains", "values": ["disk"]}]}
      """));
    assertEquals(Optional.of(Instant.MAX), rule.suppressesUntil(DISK_FULL, AT));
    AlertFacts sev3 = new AlertFacts("Disk full on db-1", 3, "Fired", "");
    assertEquals(Optional.empty(), rule.suppressesUntil(sev3, AT));
  }

  @Test
  void rule_without_schedule_or_conditions_suppresses_every_alert_for_ever() {
    ProcessingRule always = ProcessingRule.fromJson("always", new JsonObject().put("mode", "Defer"));
    assertEquals(Optional.of(new Decision(SuppressionMode.Defer, Instant.MAX, "always")),
      Suppressions.decide(List.of(always), DISK_FULL, AT));
  }

  private static String oneOff(String until) {
    return "{\"effectiveFrom\": \"2026-12-01T20:00:00\", \"effectiveUntil\": \"" + until + "\"}";
  }

  private static ProcessingRule rule(String name, String mode, String schedule) {
    return ProcessingRule.fromJson(name, new JsonObject()
      .put("mode", mode)
      .put("schedule", new JsonObject(schedule)));
  }
}
