package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.alerts.rules.AlertMetric;
import io.fleetjobs.alerts.rules.ComparisonOperator;
import io.fleetjobs.alerts.rules.Criterion;
import io.fleetjobs.alerts.rules.CriterionValue;
import io.fleetjobs.alerts.rules.Dimension;
import io.fleetjobs.alerts.rules.InstanceKey;
import io.fleetjobs.alerts.rules.TimeAggregation;
import io.fleetjobs.alerts.source.RecentExecution;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class AlertPayloadsTest {
  private static final DashboardLinks LINKS = new DashboardLinks("https://jobs.example.com/");
  private static final Instant FIRED = Instant.parse("2026-11-25T10:00:00Z");
  private static final UUID ALERT = UUID.fromString("00000000-0000-0000-0000-0000000000a1");
  private static final UUID EXECUTION = UUID.fromString("00000000-0000-0000-0000-000000000007");

  @Test
  void the_common_schema_names_the_instance_and_the_targets_behind_it() {
    JsonObject payload = CommonAlertSchema.render(notice(AlertNotice.FIRED, null, 1), LINKS);
    JsonObject essentials = payload.getJsonObject("data").getJsonObject("essentials");
    assertEquals("/fleetjobs/jobs/nightly/steps/s1/targets/pg1:5432/tenant7",
      essentials.getJsonArray("alertTargetIDs").getString(0));
    assertEquals("Sev1", essentials.getString("severity"));
    assertEquals("Platform", essentials.getString("monitoringService"));
    JsonObject criterion = payload.getJsonObject("data").getJsonObject("alertContext").getJsonObject("condition")
      .getJsonArray("allOf").getJsonObject(0);
    assertEquals(AlertMetric.NAMESPACE, criterion.getString("metricNamespace"));
    assertEquals("2.5", criterion.getString("threshold"));
    assertEquals("jobName", criterion.getJsonArray("dimensions").getJsonObject(0).getString("name"));
    JsonObject custom = payload.getJsonObject("data").getJsonObject("customProperties");
    assertEquals("https://jobs.example.com/#/jobs/nightly/executions/" + EXECUTION, custom.getString("executionUrl"));
    assertEquals("nightly", custom.getString("jobName"));
  }

  @Test
  void the_legacy_schema_says_activated_and_resolved() {
    JsonObject fired = LegacyMetricAlertSchema.render(notice(AlertNotice.FIRED, null, 1), LINKS);
    assertEquals("AzureMonitorMetricAlert", fired.getString("schemaId"));
    assertEquals("Activated", fired.getJsonObject("data").getString("status"));
    assertEquals("1", fired.getJsonObject("data").getJsonObject("context").getString("severity"));
    JsonObject resolved = LegacyMetricAlertSchema.render(notice(AlertNotice.RESOLVED, FIRED.plusSeconds(600), 2), LINKS);
    assertEquals("Resolved", resolved.getJsonObject("data").getString("status"));
  }

  @Test
  void the_resolved_mail_replies_to_the_fired_mail() {
    MailContent fired = AlertEmail.compose(notice(AlertNotice.FIRED, null, 1), LINKS);
    MailContent resolved = AlertEmail.compose(notice(AlertNotice.RESOLVED, FIRED.plusSeconds(600), 2), LINKS);
    assertFalse(fired.isReply());
    assertTrue(resolved.isReply());
    assertEquals(fired.messageId(), resolved.threadRoot());
    assertTrue(fired.messageId().endsWith("@jobs.example.com>"), fired.messageId());
    assertEquals("[Fired] Sev1 failing: elastic_jobs_failed Average 3 >= 2.5 in PT5M (jobName=nightly)",
      fired.subject());
    assertTrue(fired.text().contains("ERROR: division by zero"), fired.text());
    assertTrue(fired.text().contains("https://jobs.example.com/#/jobs/nightly/executions/" + EXECUTION), fired.text());
  }

  private static AlertNotice notice(String condition, Instant resolvedAt, int sequence) {
    Criterion criterion = new Criterion("c", AlertMetric.FAILED, List.of(), TimeAggregation.Average,
      ComparisonOperator.GreaterThanOrEqual, 2.5);
    TreeMap<Dimension, String> key = new TreeMap<>();
    key.put(Dimension.JOB_NAME, "nightly");
    RecentExecution execution = new RecentExecution(AlertMetric.FAILED, EXECUTION, "nightly", "s1", "pg1:5432",
      "tenant7", FIRED.minusSeconds(5), "ERROR: division by zero");
    return new AlertNotice(ALERT, "failing", "", 1, condition, FIRED, resolvedAt, Duration.ofMinutes(5),
      resolvedAt == null ? FIRED : resolvedAt, new InstanceKey(key),
      List.of(new CriterionValue(criterion, 3, true)), List.of(execution), sequence, false);
  }
}
