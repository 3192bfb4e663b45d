package io.fleetjobs.alerts.suppress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ProcessingRuleJsonTest {
  private static final String PATCH_TUESDAY = """
    {
      "description": "Patch Tuesday",
      "mode": "Defer",
      "conditions": [
        {"field": "Severity", "operator": "Equals", "values": ["Sev3", "Sev4"]},
        {"field": "AlertRuleName", "operator": "Contains", "values": ["disk"]}
      ],
      "schedule": {
        "effectiveFrom": "2026-12-01T22:00:00",
        "effectiveUntil": "2027-12-02T02:00:00",
        "timeZone": "Europe/Berlin",
        "recurrences": [
          {"recurrenceType": "Daily", "startTime": "22:00:00", "endTime": "02:00:00"},
          {"recurrenceType": "Weekly", "daysOfWeek": ["Saturday", "Sunday"]}
        ]
      }
    }
    """;

  @Test
  void to_json_reads_back_as_the_same_rule() {
    ProcessingRule rule = ProcessingRule.fromJson("patch-tuesday", new JsonObject(PATCH_TUESDAY));
    JsonObject json = rule.toJson();
    assertEquals(rule, ProcessingRule.fromJson("patch-tuesday", json));
    assertEquals(json, ProcessingRule
      .fromJson("patch-tuesday", json)
      .toJson());
  }

  @Test
  void to_json_writes_the_name_and_the_defaults() {
    ProcessingRule weekend = ProcessingRule.fromJson("weekend", new JsonObject("""
      {"mode": "Drop",
        "schedule": {"recurrences": [{"recurrenceType": "Weekly", "daysOfWeek": ["Sunday", "Saturday"]}]}}
      """));
    JsonObject json = weekend.toJson();
    assertEquals(new JsonObject("""
      {"name": "weekend", "enabled": true, "mode": "Drop", "conditions": [],
        "schedule": {"timeZone": "UTC", "recurrences": [{"recurrenceType": "Weekly",
          "daysOfWeek": ["Saturday", "Sunday"], "startTime": "00:00:00", "endTime": "00:00:00"}]}}
      """), json);
    assertEquals(weekend, ProcessingRule.fromJson("weekend", json));
  }

  @Test
  void unknown_fields_and_a_matching_name_are_accepted() {
    JsonObject body = new JsonObject(PATCH_TUESDAY)
      .put("name", "patch-tuesday")
      .put("scopes", new JsonArray().add("/subscriptions/x"));
    assertEquals("patch-tuesday", ProcessingRule
      .fromJson("patch-tuesday", body)
      .name());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badBodies")
  void bad_input_is_refused_naming_the_field_to_fix(Consumer<JsonObject> spoil, String target) {
    JsonObject body = new JsonObject(PATCH_TUESDAY);
    spoil.accept(body);
    InvalidInput refusal = assertThrows(InvalidInput.class, () -> ProcessingRule.fromJson("patch-tuesday", body));
    assertEquals(target, refusal.target(), refusal.getMessage());
    assertTrue(refusal
      .getMessage()
      .startsWith(target), refusal.getMessage());
  }

  @Test
  void monthly_recurrences_are_refused_saying_which_are_supported() {
    JsonObject body = new JsonObject(PATCH_TUESDAY);
    recurrence(body, 0).put("recurrenceType", "Monthly");
    InvalidInput refusal = assertThrows(InvalidInput.class, () -> ProcessingRule.fromJson("patch-tuesday", body));
    assertEquals("schedule.recurrences[0].recurrenceType", refusal.target());
    assertTrue(refusal
      .getMessage()
      .contains("only Daily and Weekly"), refusal.getMessage());
  }

  static Stream<Arguments> badBodies() {
    return Stream.of(
      bad("mode is neither Drop nor Defer", body -> body.put("mode", "Mute"), "mode"),
      bad("mode is missing", body -> body.remove("mode"), "mode"),
      bad("mode is not a string", body -> body.put("mode", 1), "mode"),
      bad("enabled is a string", body -> body.put("enabled", "yes"), "enabled"),
      bad("name differs from the path", body -> body.put("name", "other"), "name"),
      bad("description is too long", body -> body.put("description", "x".repeat(2049)), "description"),
      bad("conditions is an object", body -> body.put("conditions", new JsonObject()), "conditions"),
      bad("a condition is a string", body -> body.put("conditions", new JsonArray().add("Sev2")), "conditions[0]"),
      bad("operator is unknown", body -> condition(body, 1).put("operator", "Matches"), "conditions[1].operator"),
      bad("field is unknown", body -> condition(body, 0).put("field", "TargetResource"), "conditions[0].field"),
      bad("a condition has six values",
        body -> condition(body, 0).put("values", new JsonArray("[\"a\",\"b\",\"c\",\"d\",\"e\",\"f\"]")),
        "conditions[0].values"),
      bad("a condition has no values", body -> condition(body, 1).put("values", new JsonArray()),
        "conditions[1].values"),
      bad("a value is a number", body -> condition(body, 1).put("values", new JsonArray().add(3)),
        "conditions[1].values[0]"),
      bad("a severity is not Sev0 to Sev4", body -> condition(body, 0).put("values", new JsonArray().add("Sev5")),
        "conditions[0].values[0]"),
      bad("schedule is a string", body -> body.put("schedule", "always"), "schedule"),
      bad("timeZone is unknown", body -> schedule(body).put("timeZone", "Mars/Olympus"), "schedule.timeZone"),
      bad("effectiveFrom has an offset", body -> schedule(body).put("effectiveFrom", "2026-12-01T22:00:00Z"),
        "schedule.effectiveFrom"),
      bad("effectiveUntil is before effectiveFrom",
        body -> schedule(body).put("effectiveUntil", "2026-11-30T22:00:00"), "schedule.effectiveUntil"),
      bad("a one-off window has no effectiveUntil", body -> schedule(body)
        .put("recurrences", new JsonArray())
        .remove("effectiveUntil"), "schedule.effectiveUntil"),
      bad("a one-off window has no effectiveFrom", body -> schedule(body)
        .put("recurrences", new JsonArray())
        .remove("effectiveFrom"), "schedule.effectiveFrom"),
      bad("recurrenceType is unknown", body -> recurrence(body, 1).put("recurrenceType", "Hourly"),
        "schedule.recurrences[1].recurrenceType"),
      bad("startTime is not a time", body -> recurrence(body, 0).put("startTime", "25:00:00"),
        "schedule.recurrences[0].startTime"),
      bad("endTime is written as 2am", body -> recurrence(body, 0).put("endTime", "2am"),
        "schedule.recurrences[0].endTime"),
      bad("a day name is misspelt",
        body -> recurrence(body, 1).put("daysOfWeek", new JsonArray("[\"Saturday\",\"Caturday\"]")),
        "schedule.recurrences[1].daysOfWeek[1]"),
      bad("a weekly recurrence has no days", body -> recurrence(body, 1).remove("daysOfWeek"),
        "schedule.recurrences[1].daysOfWeek"),
      bad("a daily recurrence has days", body -> recurrence(body, 0).put("daysOfWeek", new JsonArray().add("Monday")),
        "schedule.recurrences[0].daysOfWeek"));
  }

  private static Arguments bad(String why, Consumer<JsonObject> spoil, String target) {
    return Arguments.of(Named.of(why, spoil), target);
  }

  private static JsonObject condition(JsonObject body, int index) {
    return body
      .getJsonArray("conditions")
      .getJsonObject(index);
  }

  private static JsonObject schedule(JsonObject body) {
    return body.getJsonObject("schedule");
  }

  private static JsonObject recurrence(JsonObject body, int index) {
    return schedule(body)
      .getJsonArray("recurrences")
      .getJsonObject(index);
  }
}
