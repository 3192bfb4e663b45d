package io.fleetjobs.alerts.suppress;

import io.fleetjobs.alerts.json.JsonFields;
import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** One condition of a processing rule. A rule's conditions are ANDed; the values of one condition are ORed. */
public record ProcessingCondition(ConditionField field, ConditionOperator operator, List<String> values) {
  static final int MAX_VALUES = 5;
  static final int MAX_VALUE_LENGTH = 256;

  public ProcessingCondition {
    Objects.requireNonNull(field, "field");
    Objects.requireNonNull(operator, "operator");
    values = List.copyOf(values);
  }

  public boolean matches(AlertFacts facts) {
    return operator.test(field.read(facts), values);
  }

  static ProcessingCondition fromJson(JsonFields json) {
    ConditionField field = json.enumValue("field", ConditionField.class, null);
    ConditionOperator operator = json.enumValue("operator", ConditionOperator.class, null);
    List<String> values = json.strings("values", MAX_VALUES, MAX_VALUE_LENGTH);
    if (values.isEmpty()) {
      throw json.invalid("values", "must hold 1 to " + MAX_VALUES + " strings.");
    }
    for (int i = 0; i < values.size(); i++) {
      String target = json.path("values", i);
      String value = values.get(i);
      // An empty value would make Contains match every alert and DoesNotContain none.
      if (value.isBlank()) {
        throw new InvalidInput(target, target + " must not be empty");
      }
      field
        .refusal(value)
        .ifPresent(reason -> {
          throw new InvalidInput(target, target + " is " + value + ", but " + reason);
        });
    }
    return new ProcessingCondition(field, operator, values);
  }

  JsonObject toJson() {
    return new JsonObject()
      .put("field", field.name())
      .put("operator", operator.name())
      .put("values", new JsonArray(new ArrayList<>(values)));
  }
}
