package io.fleetjobs.server.jobs.notices;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The trigger and routines of R__notifications.sql, called directly on a real PostgreSQL. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class NoticeRoutinesTest {
  private static final Instant T0 = Instant.parse("2026-11-01T12:00:00Z");
  private RoutineDatabase db;

  @BeforeEach
  void migrate() throws Exception {
    db = RoutineDatabase.migrated("notice_routines");
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  @Test
  void a_failed_execution_queues_one_notice_per_matching_notification_with_counts_and_failure_groups()
    throws Exception {
    notification("by-name", "{fails}", "{Failed}");
    notification("every-job", "{*}", "{Failed,TimedOut}");
    notification("other-job", "{another}", "{Failed}");
    notification("successes-only", "{fails}", "{Succeeded}");
    UUID execution = db.execution("fails", 1, 3, 0, T0);
    for (RoutineDatabase.Claimed claimed : db.claim("agent", 10, 10, 30, T0)) {
      String database = (String) db.value("SELECT database_name FROM jobs_internal.target_executions"
        + " WHERE target_execution_id = ?", claimed.targetExecutionId());
      db.query("SELECT lifecycle FROM jobs_internal.finish_target(?, ?, 'Failed', ?, NULL, '42P01', ?)",
        claimed.targetExecutionId(), claimed.claim(), "Attempt 1 of step 1 failed on target (server 'srv', database '"
          + database + "'): ERROR: relation \"orders_2024\" does not exist in " + database + " at line 12",
        RoutineDatabase.at(T0));
    }
    assertEquals("Failed", db.value("SELECT lifecycle FROM jobs_internal.job_executions WHERE job_execution_id = ?",
      execution));

    List<List<Object>> notices = db.query("SELECT notification_name, lifecycle, summary::text FROM"
      + " jobs_internal.execution_notices WHERE job_execution_id = ? ORDER BY notification_name", execution);
    assertEquals(List.of("by-name", "every-job"), notices.stream().map(n -> n.get(0)).toList());
    JsonObject summary = new JsonObject((String) notices.get(0).get(2));
    assertEquals("fails", summary.getString("jobName"));
    assertEquals(new JsonObject().put("Failed", 3), summary.getJsonObject("counts"));
    assertEquals(new JsonArray().add(new JsonObject().put("lifecycle", "Failed").put("errorCode", "42P01")
        .put("cause", "ERROR: relation \"orders_2024\" does not exist in <database> at line #").put("count", 3)),
      summary.getJsonArray("failureGroups"));
  }

  @Test
  void each_pause_queues_a_notice_and_the_end_after_a_resume_queues_its_own() throws Exception {
    notification("pauses-and-ends", "{paused}", "{Paused,Succeeded}");
    UUID execution = db.execution("paused", 1, 2, 0, T0);
    db.query("SELECT jobs_internal.pause_executions(ARRAY['paused'], 'an operator')");
    db.query("SELECT jobs_internal.pause_executions(ARRAY['paused'], 'twice')");
    assertEquals(List.of("Paused"), lifecycles(execution), "pausing a paused execution is no new pause");
    db.query("SELECT jobs_internal.resume_execution('paused', ?, NULL, 'admin', ?)", execution, RoutineDatabase.at(T0));
    db.query("SELECT jobs_internal.pause_executions(ARRAY['paused'], 'again')");
    db.query("SELECT jobs_internal.resume_execution('paused', ?, NULL, 'admin', ?)", execution, RoutineDatabase.at(T0));
    for (RoutineDatabase.Claimed claimed : db.claim("agent", 10, 10, 30, T0)) {
      db.finish(claimed, "Succeeded", null);
    }
    assertEquals(List.of("Paused", "Paused", "Succeeded"), lifecycles(execution));
  }

  @Test
  void a_cancel_queues_a_canceled_notice() throws Exception {
    notification("cancels", "{canceled}", "{Canceled}");
    UUID execution = db.execution("canceled", 1, 2, 0, T0);
    db.query("SELECT jobs_internal.cancel_execution('canceled', ?)", execution);
    assertEquals(List.of("Canceled"), lifecycles(execution));
    assertEquals(1L, db.count("SELECT count(*) FROM jobs_internal.execution_notices"));
  }

  @Test
  void the_notice_groups_failures_by_the_failure_groups_rule_of_the_execution_page() throws Exception {
    notification("by-cause", "{grouped}", "{Failed}");
    UUID execution = db.execution("grouped", 1, 3, 0, T0);
    for (RoutineDatabase.Claimed claimed : db.claim("agent", 10, 10, 30, T0)) {
      String database = (String) db.value("SELECT database_name FROM jobs_internal.target_executions"
        + " WHERE target_execution_id = ?", claimed.targetExecutionId());
      // The target's own names in the middle of the message, which the page's rule takes out.
      db.query("SELECT lifecycle FROM jobs_internal.finish_target(?, ?, 'Failed', ?, NULL, '55P03', ?)",
        claimed.targetExecutionId(), claimed.claim(), "ERROR: lock timeout on target (server 'srv', database '"
          + database + "') after 5 s\nCONTEXT: statement 2", RoutineDatabase.at(T0));
    }
    JsonObject summary = new JsonObject((String) db.value("SELECT summary::text FROM jobs_internal.execution_notices"
      + " WHERE job_execution_id = ?", execution));
    assertEquals(new JsonArray().add(new JsonObject().put("lifecycle", "Failed").put("errorCode", "55P03")
        .put("cause", "ERROR: lock timeout after # s").put("count", 3)),
      summary.getJsonArray("failureGroups"));
    assertEquals(List.of(List.of("ERROR: lock timeout after # s", 3L)), db.query("SELECT jobs_internal.failure_cause("
      + "last_message, server_name, database_name) AS cause, count(*) FROM jobs_internal.target_executions"
      + " WHERE job_execution_id = ? GROUP BY 1", execution), "the page's rule gives the same cause");
    assertNull(db.value("SELECT to_regprocedure('jobs_internal.notice_cause(text, text, text)')::text"),
      "no second rule is left behind");
  }

  private List<Object> lifecycles(UUID execution) throws Exception {
    return db.query("SELECT lifecycle FROM jobs_internal.execution_notices WHERE job_execution_id = ?"
      + " ORDER BY notice_id", execution).stream().map(row -> row.get(0)).toList();
  }

  private void notification(String name, String jobs, String states) throws Exception {
    db.query("INSERT INTO jobs_internal.execution_notifications (notification_name, job_names, end_states,"
      + " action_groups) VALUES (?, ?::text[], ?::text[], '{ops}')", name, jobs, states);
  }
}
