package io.fleetjobs.alerts.suppress;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcessingConditionTest {
  private static final AlertFacts DISK_FULL = new AlertFacts("Disk full on db-1", 2, "Fired",
    "Free space below 5% on /var/lib/postgresql");

  @Test
  void equals_matches_any_of_its_values_ignoring_case() {
    assertTrue(condition(ConditionField.AlertRuleName, ConditionOperator.Equals, "CPU high", "DISK FULL ON DB-1")
      .matches(DISK_FULL));
    assertFalse(condition(ConditionField.AlertRuleName, ConditionOperator.Equals, "CPU high", "Disk full")
      .matches(DISK_FULL));
  }

  @Test
  void not_equals_matches_only_when_none_of_its_values_equals() {
    assertTrue(condition(ConditionField.AlertRuleName, ConditionOperator.NotEquals, "CPU high", "Disk full")
      .matches(DISK_FULL));
    assertFalse(condition(ConditionField.AlertRuleName, ConditionOperator.NotEquals, "CPU high", "disk full on db-1")
      .matches(DISK_FULL));
  }

  @Test
  void contains_matches_when_any_value_occurs_ignoring_case() {
    assertTrue(condition(ConditionField.Description, ConditionOperator.Contains, "memory", "POSTGRESQL")
      .matches(DISK_FULL));
    assertFalse(condition(ConditionField.Description, ConditionOperator.Contains, "memory", "mysql")
      .matches(DISK_FULL));
  }

  @Test
  void does_not_contain_matches_only_when_no_value_occurs() {
    assertTrue(condition(ConditionField.Description, ConditionOperator.DoesNotContain, "memory", "mysql")
      .matches(DISK_FULL));
    assertFalse(condition(ConditionField.Description, ConditionOperator.DoesNotContain, "memory", "Free Space")
      .matches(DISK_FULL));
  }

  @Test
  void severity_is_compared_by_its_sev_name() {
    assertTrue(condition(ConditionField.Severity, ConditionOperator.Equals, "Sev2").matches(DISK_FULL));
    assertTrue(condition(ConditionField.Severity, ConditionOperator.Equals, "Sev0", "sev2").matches(DISK_FULL));
    assertFalse(condition(ConditionField.Severity, ConditionOperator.Equals, "Sev3", "Sev4").matches(DISK_FULL));
    assertTrue(condition(ConditionField.Severity, ConditionOperator.NotEquals, "Sev0", "Sev1").matches(DISK_FULL));
  }

  @Test
  void monitor_condition_tells_fired_from_resolved() {
    AlertFacts resolved = new AlertFacts("Disk full on db-1", 2, "Resolved", "");
    ProcessingCondition onlyFired = condition(ConditionField.MonitorCondition, ConditionOperator.Equals, "fired");
    assertTrue(onlyFired.matches(DISK_FULL));
    assertFalse(onlyFired.matches(resolved));
  }

  @Test
  void missing_text_matches_only_the_negative_operators() {
    AlertFacts noDescription = new AlertFacts("Disk full on db-1", 2, "Fired", null);
    assertFalse(condition(ConditionField.Description, ConditionOperator.Equals, "x").matches(noDescription));
    assertFalse(condition(ConditionField.Description, ConditionOperator.Contains, "x").matches(noDescription));
    assertTrue(condition(ConditionField.Description, ConditionOperator.NotEquals, "x").matches(noDescription));
    assertTrue(condition(ConditionField.Description, ConditionOperator.DoesNotContain, "x").matches(noDescription));
  }

  private static ProcessingCondition condition(ConditionField field, ConditionOperator operator, String... values) {
    return new ProcessingCondition(field, operator, List.of(values));
  }
}
