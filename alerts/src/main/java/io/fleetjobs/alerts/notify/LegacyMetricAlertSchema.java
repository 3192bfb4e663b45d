package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.rules.AlertMetric;
import io.vertx.core.json.JsonObject;

/** The older Azure metric-alert body, sent to receivers that set useCommonAlertSchema to false. */
public final class LegacyMetricAlertSchema {
  private LegacyMetricAlertSchema() {
  }

  public static JsonObject render(AlertNotice notice, DashboardLinks links) {
    boolean fired = AlertNotice.FIRED.equals(notice.monitorCondition());
    JsonObject properties = new JsonObject();
    if (notice.test()) {
      properties.put("test", "true");
    }
    return new JsonObject()
      .put("schemaId", "AzureMonitorMetricAlert")
      .put("data", new JsonObject()
        .put("version", "2.0")
        .put("properties", properties)
        .put("status", fired ? "Activated" : "Resolved")
        .put("context", new JsonObject()
          .put("timestamp", CommonAlertSchema.text(fired ? notice.firedAt() : notice.resolvedAt()))
          .put("id", "/fleetjobs/alertRules/" + notice.ruleName())
          .put("name", notice.ruleName())
          .put("description", notice.description())
          .put("conditionType", "SingleResourceMultipleMetricCriteria")
          .put("severity", Integer.toString(notice.severity()))
          .put("condition", new JsonObject()
            .put("windowSize", notice.windowSize().toString())
            .put("allOf", CommonAlertSchema.allOf(notice)))
          .put("subscriptionId", "")
          .put("resourceGroupName", "")
          .put("resourceName", "fleetjobs")
          .put("resourceType", AlertMetric.NAMESPACE)
          .put("resourceId", "/fleetjobs/agent")
          .put("portalLink", links.alert(notice.alertId()))));
  }
}
