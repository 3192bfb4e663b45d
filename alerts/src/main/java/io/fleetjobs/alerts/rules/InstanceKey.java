package io.fleetjobs.alerts.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which alert instance of a rule: the values of the dimensions the rule splits by, or none at all for a
 * rule that does not split. Its text form is the stored identity of the instance.
 */
public record InstanceKey(SortedMap<Dimension, String> values) {
  public static final InstanceKey NONE = new InstanceKey(new TreeMap<>());

  public InstanceKey {
    values = Collections.unmodifiableSortedMap(new TreeMap<>(values));
  }

  public static InstanceKey of(MetricSample sample, Iterable<Dimension> splitBy) {
    Map<Dimension, String> values = new EnumMap<>(Dimension.class);
    splitBy.forEach(dimension -> values.put(dimension, sample.value(dimension)));
    return new InstanceKey(new TreeMap<>(values));
  }

  /** Azure's {@code dimensions: [{name, value}]}. */
  public JsonArray toJson() {
    JsonArray dimensions = new JsonArray();
    values.forEach((dimension, value) -> dimensions.add(new JsonObject()
      .put("name", dimension.jsonName())
      .put("value", value)));
    return dimensions;
  }

  public static InstanceKey fromJson(JsonArray dimensions) {
    TreeMap<Dimension, String> values = new TreeMap<>();
    for (int i = 0; i < dimensions.size(); i++) {
      JsonObject entry = dimensions.getJsonObject(i);
      Dimension.parse(entry.getString("name")).ifPresent(d -> values.put(d, entry.getString("value")));
    }
    return new InstanceKey(values);
  }

  /** The stored identity: the JSON text is unambiguous whatever characters a database name holds. */
  public String asText() {
    return toJson().encode();
  }

  public boolean matches(MetricSample sample) {
    return values.entrySet().stream().allMatch(e -> e.getValue().equals(sample.value(e.getKey())));
  }

  /** For subjects and logs: "jobName=nightly, targetDatabase=tenant7", or "" when the rule does not split. */
  public String describe() {
    StringBuilder text = new StringBuilder();
    values.forEach((dimension, value) -> text
      .append(text.length() == 0 ? "" : ", ")
      .append(dimension.jsonName())
      .append('=')
      .append(value));
    return text.toString();
  }
}
