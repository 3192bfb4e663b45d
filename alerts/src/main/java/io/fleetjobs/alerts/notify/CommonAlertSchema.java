package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.rules.AlertMetric;
import io.fleetjobs.alerts.rules.CriterionValue;
import io.fleetjobs.alerts.source.RecentExecution;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The webhook body: Azure Monitor's common alert schema for a metric alert, so Logic Apps, Functions
 * and scripts written for Azure keep working. Azure's ARM ids become fleetjobs paths.
 */
public final class CommonAlertSchema {
  public static final String SCHEMA_ID = "azureMonitorCommonAlertSchema";

  private CommonAlertSchema() {
  }

  public static JsonObject render(AlertNotice notice, DashboardLinks links) {
    JsonObject essentials = new JsonObject()
      .put("alertId", "/fleetjobs/alerts/" + notice.alertId())
      .put("alertRule", notice.ruleName())
      .put("alertRuleID", "/fleetjobs/alertRules/" + notice.ruleName())
      .put("severity", notice.severityName())
      .put("signalType", "Metric")
      .put("monitorCondition", notice.monitorCondition())
      .put("monitoringService", "Platform")
      .put("alertTargetIDs", targetIds(notice))
      .put("configurationItems", configurationItems(notice))
      .put("originAlertId", notice.alertId().toString())
      .put("firedDateTime", text(notice.firedAt()))
      .put("resolvedDateTime", text(notice.resolvedAt()))
      .put("description", notice.description())
      .put("essentialsVersion", "1.0")
      .put("alertContextVersion", "1.0");
    JsonObject alertContext = new JsonObject()
      .putNull("properties")
      .put("conditionType", "SingleResourceMultipleMetricCriteria")
      .put("condition", new JsonObject()
        .put("windowSize", notice.windowSize().toString())
        .put("allOf", allOf(notice))
        .put("windowStartTime", text(notice.windowStart()))
        .put("windowEndTime", text(notice.windowEnd())));
    return new JsonObject()
      .put("schemaId", SCHEMA_ID)
      .put("data", new JsonObject()
        .put("essentials", essentials)
        .put("alertContext", alertContext)
        .put("customProperties", customProperties(notice, links)));
  }

  static JsonArray allOf(AlertNotice notice) {
    JsonArray allOf = new JsonArray();
    for (CriterionValue value : notice.values()) {
      allOf.add(new JsonObject()
        .put("metricName", value.criterion().metric().restName())
        .put("metricNamespace", AlertMetric.NAMESPACE)
        .put("operator", value.criterion().operator().name())
        .put("threshold", value.criterion().thresholdText())
        .put("timeAggregation", value.criterion().timeAggregation().name())
        .put("dimensions", notice.key().toJson())
        .put("metricValue", value.value())
        .putNull("webTestName"));
    }
    return allOf;
  }

  /** The targets behind the alert, most recent first: the answer to "which database?". */
  private static JsonArray targetIds(AlertNotice notice) {
    Set<String> ids = new LinkedHashSet<>();
    for (RecentExecution execution : notice.recent()) {
      ids.add("/fleetjobs/jobs/" + execution.jobName() + "/steps/" + execution.stepName() + "/targets/"
        + execution.targetServer() + "/" + execution.targetDatabase());
    }
    if (ids.isEmpty()) {
      ids.add("/fleetjobs/agent");
    }
    return new JsonArray(ids.stream().toList());
  }

  private static JsonArray configurationItems(AlertNotice notice) {
    Set<String> items = new LinkedHashSet<>();
    notice.recent().forEach(e -> items.add(e.targetServer() + "/" + e.targetDatabase()));
    return new JsonArray(items.stream().toList());
  }

  /** Custom properties are strings in Azure's schema; these name what happened and link to it. */
  private static JsonObject customProperties(AlertNotice notice, DashboardLinks links) {
    JsonObject properties = new JsonObject()
      .put("alertUrl", links.alert(notice.alertId()))
      .put("sequence", Integer.toString(notice.sequence()));
    notice.key().values().forEach((dimension, value) -> properties.put(dimension.jsonName(), value));
    if (!notice.recent().isEmpty()) {
      RecentExecution latest = notice.recent().get(0);
      properties
        .put("latestJobName", latest.jobName())
        .put("latestStepName", latest.stepName())
        .put("latestTarget", latest.targetServer() + "/" + latest.targetDatabase())
        .put("latestMessage", latest.lastMessage())
        .put("executionUrl", links.execution(latest.jobName(), latest.jobExecutionId()));
    }
    if (notice.test()) {
      properties.put("test", "true");
    }
    return properties;
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
