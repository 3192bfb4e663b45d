package io.fleetjobs.alerts.rules;

import io.fleetjobs.alerts.json.JsonFields;
import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A metric alert rule, shaped like Azure's: static thresholds in {@code criteria.allOf}, a window, an
 * evaluation frequency (down to one second, where Azure's floor is a minute) and action group names.
 */
public record AlertRule(
  String name,
  String description,
  int severity,
  boolean enabled,
  List<Criterion> allOf,
  Duration windowSize,
  Duration evaluationFrequency,
  boolean autoMitigate,
  List<String> actions,
  List<String> pauseJobs) {

  static final Duration MIN_PERIOD = Duration.ofSeconds(1);
  static final Duration MAX_WINDOW = Duration.ofDays(1);
  static final Duration MAX_FREQUENCY = Duration.ofHours(1);

  public AlertRule {
    allOf = List.copyOf(allOf);
    actions = List.copyOf(actions);
    pauseJobs = List.copyOf(pauseJobs);
  }

  public static AlertRule fromJson(String name, JsonObject body) {
    JsonFields json = JsonFields.named(name, body);
    JsonFields criteria = json.object("criteria");
    List<Criterion> allOf = criteria.objects("allOf", 5, AlertRule::criterion);
    if (allOf.isEmpty()) {
      throw criteria.invalid("allOf", "holds at least one criterion.");
    }
    requireSameSplit(allOf, criteria.path("allOf"));
    Duration window = json.duration("windowSize", Duration.ofMinutes(5), MIN_PERIOD, MAX_WINDOW);
    Duration frequency = json.duration("evaluationFrequency", Duration.ofMinutes(1), MIN_PERIOD, MAX_FREQUENCY);
    if (frequency.compareTo(window) > 0) {
      throw json.invalid("evaluationFrequency", "must not be longer than windowSize (" + window + ").");
    }
    List<String> actions = json.strings("actions", 5, 128);
    for (int i = 0; i < actions.size(); i++) {
      JsonFields.checkName(actions.get(i), "actions[" + i + "]");
    }
    if (new HashSet<>(actions).size() != actions.size()) {
      throw json.invalid("actions", "names each action group once.");
    }
    // SSM's AlarmConfiguration: a firing rule stops the rollouts of these jobs ("*": every job).
    List<String> pauseJobs = json.strings("pauseJobs", 20, 128);
    for (int i = 0; i < pauseJobs.size(); i++) {
      if (!pauseJobs.get(i).equals("*")) {
        JsonFields.checkName(pauseJobs.get(i), "pauseJobs[" + i + "]");
      }
    }
    return new AlertRule(
      name,
      json.string("description", 2048).orElse(""),
      json.integer("severity", 3, 0, 4),
      json.bool("enabled", true),
      allOf,
      window,
      frequency,
      json.bool("autoMitigate", true),
      actions,
      pauseJobs);
  }

  private static Criterion criterion(JsonFields json) {
    String metricName = json.requiredString("metricName", 128);
    AlertMetric metric = AlertMetric.parse(metricName).orElseThrow(() -> json.invalid("metricName",
      "must be elastic_jobs_failed, elastic_jobs_successful or elastic_jobs_timeout (or their display names)."));
    json.string("metricNamespace", 256)
      .filter(namespace -> !namespace.equalsIgnoreCase(AlertMetric.NAMESPACE))
      .ifPresent(namespace -> {
        throw json.invalid("metricNamespace", "must be " + AlertMetric.NAMESPACE + " when given.");
      });
    List<DimensionFilter> dimensions = json.objects("dimensions", 4, AlertRule::dimension);
    Set<Dimension> seen = new HashSet<>();
    for (int i = 0; i < dimensions.size(); i++) {
      if (!seen.add(dimensions.get(i).name())) {
        throw new InvalidInput(json.path("dimensions", i) + ".name", json.path("dimensions", i)
          + ".name names a dimension twice.");
      }
    }
    return new Criterion(
      json.string("name", 128).orElse(metric.restName()),
      metric,
      dimensions,
      json.enumValue("timeAggregation", TimeAggregation.class, TimeAggregation.Total),
      json.enumValue("operator", ComparisonOperator.class, null),
      json.requiredNumber("threshold"));
  }

  private static DimensionFilter dimension(JsonFields json) {
    String name = json.requiredString("name", 64);
    Dimension dimension = Dimension.parse(name).orElseThrow(() -> json.invalid("name",
      "must be jobName, stepName, targetServer or targetDatabase."));
    DimensionOperator operator = json.enumValue("operator", DimensionOperator.class, DimensionOperator.Include);
    List<String> values = json.strings("values", 100, 256);
    if (values.isEmpty()) {
      throw json.invalid("values", "holds at least one value, or \"*\" for every value.");
    }
    if (operator == DimensionOperator.Exclude && values.contains(DimensionFilter.ALL)) {
      throw json.invalid("values", "with Exclude and \"*\" would exclude everything.");
    }
    return new DimensionFilter(dimension, operator, values);
  }

  /** One alert instance per combination of values needs every criterion to split the same way. */
  private static void requireSameSplit(List<Criterion> allOf, String path) {
    Set<Dimension> first = splitOf(allOf.get(0));
    for (int i = 1; i < allOf.size(); i++) {
      if (!splitOf(allOf.get(i)).equals(first)) {
        throw new InvalidInput(path + "[" + i + "].dimensions", path + "[" + i + "].dimensions must name the same "
          + "dimensions as the first criterion, " + first + ": one alert instance per combination needs that.");
      }
    }
  }

  private static Set<Dimension> splitOf(Criterion criterion) {
    return criterion.dimensions().stream().map(DimensionFilter::name).collect(Collectors.toSet());
  }

  /** The dimensions each alert instance is split by. */
  public List<Dimension> splitBy() {
    return allOf.get(0).dimensions().stream().map(DimensionFilter::name).sorted().toList();
  }

  public JsonObject toJson() {
    JsonArray criteria = new JsonArray();
    for (Criterion c : allOf) {
      JsonArray dimensions = new JsonArray();
      c.dimensions().forEach(d -> dimensions.add(new JsonObject()
        .put("name", d.name().jsonName())
        .put("operator", d.operator().name())
        .put("values", new JsonArray(d.values()))));
      criteria.add(new JsonObject()
        .put("name", c.name())
        .put("metricName", c.metric().restName())
        .put("metricNamespace", AlertMetric.NAMESPACE)
        .put("dimensions", dimensions)
        .put("timeAggregation", c.timeAggregation().name())
        .put("operator", c.operator().name())
        .put("threshold", c.threshold()));
    }
    return new JsonObject()
      .put("name", name)
      .put("description", description)
      .put("severity", severity)
      .put("enabled", enabled)
      .put("criteria", new JsonObject()
        .put("odata.type", "Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria")
        .put("allOf", criteria))
      .put("windowSize", windowSize.toString())
      .put("evaluationFrequency", evaluationFrequency.toString())
      .put("autoMitigate", autoMitigate)
      .put("actions", new JsonArray(actions))
      .put("pauseJobs", new JsonArray(pauseJobs));
  }

  /** Whether this rule's firing pauses the running executions of some jobs. */
  public boolean pausesJobs() {
    return !pauseJobs.isEmpty();
  }
}
