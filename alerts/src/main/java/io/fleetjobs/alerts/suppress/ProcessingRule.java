package io.fleetjobs.alerts.suppress;

import io.fleetjobs.alerts.json.JsonFields;
import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An alert processing rule that suppresses notifications, as Azure's {@code RemoveAllActionGroups} rules do: while
 * its schedule is active, alerts that meet all its conditions send nothing ({@link SuppressionMode#Drop}) or send a
 * summary when the window closes ({@link SuppressionMode#Defer}). No conditions means every alert; a null
 * {@code schedule} means always active.
 */
public record ProcessingRule(String name, String description, boolean enabled, SuppressionMode mode,
  List<ProcessingCondition> conditions, SuppressionSchedule schedule) {
  static final int MAX_DESCRIPTION = 2048;
  static final int MAX_CONDITIONS = 10;

  public ProcessingRule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(mode, "mode");
    conditions = conditions == null ? List.of() : List.copyOf(conditions);
  }

  /**
   * The rule stored as {@code name} from the body of PUT /api/v1/alertProcessingRules/{name}. Unknown fields are
   * ignored, except a {@code name}, which has to agree with the path.
   *
   * @throws InvalidInput naming the JSON path of the first offending field
   */
  public static ProcessingRule fromJson(String name, JsonObject body) {
    JsonFields json = JsonFields.named(name, body);
    Optional<String> description = json.string("description", MAX_DESCRIPTION);
    return new ProcessingRule(
      name,
      description.orElse(null),
      json.bool("enabled", true),
      json.enumValue("mode", SuppressionMode.class, null),
      json.objects("conditions", MAX_CONDITIONS, ProcessingCondition::fromJson),
      json
        .optionalObject("schedule")
        .map(SuppressionSchedule::fromJson)
        .orElse(null));
  }

  /** The body shape {@link #fromJson} reads, with the name and the defaults written out. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("name", name);
    if (description != null) {
      json.put("description", description);
    }
    json
      .put("enabled", enabled)
      .put("mode", mode.name())
      .put("conditions", conditions
        .stream()
        .map(ProcessingCondition::toJson)
        .collect(JsonArray::new, JsonArray::add, JsonArray::addAll));
    if (schedule != null) {
      json.put("schedule", schedule.toJson());
    }
    return json;
  }

  /**
   * Until when this rule suppresses an alert with {@code facts} at {@code at}: empty when the rule is disabled, a
   * condition does not match or the schedule is not active; {@link Instant#MAX} when the rule has no schedule.
   */
  public Optional<Instant> suppressesUntil(AlertFacts facts, Instant at) {
    if (!enabled || !conditions
      .stream()
      .allMatch(condition -> condition.matches(facts))) {
      return Optional.empty();
    }
    return schedule == null ? Optional.of(Instant.MAX) : schedule.activeUntil(at);
  }
}
