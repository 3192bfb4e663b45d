package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobsApiTest {
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("jobs");

  @Test
  void a_new_job_has_version_zero_and_the_elastic_jobs_defaults() {
    HttpResponse<Buffer> created = agent.admin().put("/jobs/defaults", new JsonObject());
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject job = created.bodyAsJsonObject();
    assertEquals("defaults", job.getString("name"));
    assertNotNull(job.getString("jobId"));
    assertEquals(0, job.getInteger("version"));
    assertEquals("", job.getString("description"));
    JsonObject schedule = job.getJsonObject("schedule");
    assertEquals("Once", schedule.getString("type"));
    assertFalse(schedule.getBoolean("enabled"));
    assertNull(schedule.getString("interval"));
    assertEquals("0001-01-01T00:00:00Z", schedule.getString("startTime"));
    assertEquals("9999-12-31T11:59:59Z", schedule.getString("endTime"));
    assertEquals("Once", schedule.getString("scheduleIntervalType"));
    assertEquals(1, schedule.getInteger("scheduleIntervalCount"));
  }

  @Test
  void put_replaces_and_keeps_the_job_id() {
    String jobId = agent.admin().put("/jobs/replace", new JsonObject().put("description", "first"))
      .bodyAsJsonObject().getString("jobId");
    HttpResponse<Buffer> replaced = agent.admin().put("/jobs/replace", new JsonObject().put("description", "second"));
    assertEquals(200, replaced.statusCode());
    assertEquals("second", replaced.bodyAsJsonObject().getString("description"));
    assertEquals(jobId, replaced.bodyAsJsonObject().getString("jobId"));
    assertEquals(204, agent.admin().delete("/jobs/replace").statusCode());
    assertEquals(404, agent.admin().get("/jobs/replace").statusCode());
    assertEquals(404, agent.admin().delete("/jobs/replace").statusCode());
  }

  @Test
  void rest_schedule_is_shown_in_both_forms() {
    JsonObject schedule = agent.admin().put("/jobs/rest-form", new JsonObject().put("schedule", new JsonObject()
        .put("type", "Recurring").put("interval", "PT2H").put("enabled", true)
        .put("startTime", "2026-01-01T08:00:00+01:00")))
      .bodyAsJsonObject().getJsonObject("schedule");
    assertEquals("Recurring", schedule.getString("type"));
    assertEquals("PT2H", schedule.getString("interval"));
    assertEquals("Hours", schedule.getString("scheduleIntervalType"));
    assertEquals(2, schedule.getInteger("scheduleIntervalCount"));
    assertEquals("2026-01-01T07:00:00Z", schedule.getString("startTime"), "times are returned in UTC");
  }

  @Test
  void tsql_schedule_is_shown_in_both_forms() {
    JsonObject schedule = agent.admin().put("/jobs/tsql-form", new JsonObject().put("schedule", new JsonObject()
        .put("scheduleIntervalType", "Weeks").put("scheduleIntervalCount", 2).put("enabled", true)))
      .bodyAsJsonObject().getJsonObject("schedule");
    assertEquals("Recurring", schedule.getString("type"));
    assertEquals("P2W", schedule.getString("interval"));
  }

  @Test
  void tsql_counts_are_stored_as_given() {
    JsonObject schedule = agent.admin().put("/jobs/as-given", new JsonObject().put("schedule", new JsonObject()
        .put("scheduleIntervalType", "Hours").put("scheduleIntervalCount", 48)))
      .bodyAsJsonObject().getJsonObject("schedule");
    assertEquals("Hours", schedule.getString("scheduleIntervalType"));
    assertEquals(48, schedule.getInteger("scheduleIntervalCount"));
    assertEquals("PT48H", schedule.getString("interval"));
  }

  @Test
  void cron_schedules_carry_an_iana_time_zone() {
    JsonObject job = agent.admin().put("/jobs/cron", new JsonObject().put("overlapPolicy", "SkipExecution")
        .put("schedule", new JsonObject().put("type", "Cron").put("cronExpression", "0 8 * * 1-5")
          .put("timeZone", "Europe/Berlin").put("enabled", true)))
      .bodyAsJsonObject();
    assertEquals("SkipExecution", job.getString("overlapPolicy"));
    JsonObject schedule = job.getJsonObject("schedule");
    assertEquals("Cron", schedule.getString("type"));
    assertEquals("0 8 * * 1-5", schedule.getString("cronExpression"));
    assertEquals("Europe/Berlin", schedule.getString("timeZone"));
    assertEquals("SkipTargets", agent.admin().put("/jobs/default-overlap", new JsonObject()).bodyAsJsonObject()
      .getString("overlapPolicy"));
    assertRefused(new JsonObject().put("type", "Cron").put("cronExpression", "at eight"), "schedule.cronExpression");
    assertRefused(new JsonObject().put("type", "Cron").put("cronExpression", "0 8 * * *").put("timeZone", "Mars/Base"),
      "schedule.timeZone");
    assertRefused(new JsonObject().put("interval", "PT5M").put("timeZone", "UTC"), "schedule.type");
  }

  @Test
  void schedule_forms_that_disagree_or_are_incomplete_are_refused() {
    assertRefused(new JsonObject().put("type", "Recurring"), "schedule.interval");
    assertRefused(new JsonObject().put("type", "Once").put("interval", "PT5M"), "schedule.interval");
    assertRefused(new JsonObject().put("interval", "PT90S"), "schedule.interval");
    assertRefused(new JsonObject().put("interval", "every day"), "schedule.interval");
    assertRefused(new JsonObject().put("interval", "PT5M").put("scheduleIntervalType", "Hours"),
      "schedule.scheduleIntervalType");
    assertRefused(new JsonObject().put("startTime", "2026-01-02T00:00:00Z").put("endTime", "2026-01-01T00:00:00Z"),
      "schedule.endTime");
  }

  @Test
  void job_names_follow_the_sp_add_job_rules() {
    HttpResponse<Buffer> percent = agent.admin().put("/jobs/50%25off", new JsonObject());
    assertEquals(400, percent.statusCode());
    assertEquals("name", percent.bodyAsJsonObject().getJsonObject("error").getString("target"));
  }

  @Test
  void lists_page_with_top_skip_and_next_link() {
    for (int i = 0; i < 3; i++) {
      agent.admin().put("/jobs/page-" + i, new JsonObject());
    }
    JsonObject first = agent.admin().get("/jobs?$top=2").bodyAsJsonObject();
    assertEquals(2, first.getJsonArray("value").size());
    String next = first.getString("nextLink");
    assertNotNull(next);
    JsonObject rest = agent.admin().get(next.substring(next.indexOf("/api/v1") + "/api/v1".length())).bodyAsJsonObject();
    assertFalse(rest.getJsonArray("value").isEmpty());
    assertFalse(rest.getJsonArray("value").getJsonObject(0).getString("name")
      .equals(first.getJsonArray("value").getJsonObject(0).getString("name")));
  }

  private static void assertRefused(JsonObject schedule, String target) {
    HttpResponse<Buffer> refused = agent.admin().put("/jobs/refused", new JsonObject().put("schedule", schedule));
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    assertEquals(target, refused.bodyAsJsonObject().getJsonObject("error").getString("target"), refused.bodyAsString());
    assertEquals(404, agent.admin().get("/jobs/refused").statusCode());
  }
}
