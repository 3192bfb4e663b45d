package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Target lists paged by $skipToken: every order, through its last page, gives the rows one request gives, each
 * once, however many rows share a sort key; a token that this list did not hand out is a 400 naming it. The
 * execution is seeded as rows (230 targets on two steps: ended at one of five instants, failed, canceled, or not
 * started), so ties are the rule.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TargetCursorApiTest {
  private static final String JOB = "/jobs/cursor";
  private static final List<String> SORTS = List.of("step", "name", "lifecycle", "duration", "endTime");
  private static final int TARGETS = 230;

  private static AgentFixture agent;
  private static String execution;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    agent = AgentFixture.start(vertx, "target_cursor_api");
    ok(agent.admin().put("/credentials/c", new JsonObject().put("username", "postgres").put("password", "x")));
    ok(agent.admin().put("/targetGroups/g", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "10.9.0.1:5432")
        .put("databaseName", "d")))));
    ok(agent.admin().put(JOB, new JsonObject()));
    for (String step : List.of("one", "two")) {
      ok(agent.admin().put(JOB + "/steps/" + step, new JsonObject().put("targetGroup", "g").put("credential", "c")
        .put("action", new JsonObject().put("value", "SELECT 1"))));
    }
    try (Connection db = TestPostgres.connect(agent.database(), "postgres"); Statement sql = db.createStatement()) {
      sql.execute(SEED.formatted(TARGETS / 2 - 1));
      try (ResultSet row = sql.executeQuery("SELECT job_execution_id FROM jobs_internal.job_executions")) {
        row.next();
        execution = row.getString(1);
      }
    }
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  @Test
  void every_sort_pages_by_token_through_its_last_page_as_one_request_lists_it() {
    for (String sort : SORTS) {
      List<String> whole = ids(get(targets() + "?sort=" + sort + "&$top=1000"));
      assertEquals(TARGETS, whole.size(), sort);
      List<String> paged = new ArrayList<>();
      JsonObject page = get(targets() + "?sort=" + sort + "&$top=17");
      int pages = 1;
      while (true) {
        assertEquals(TARGETS, page.getInteger("count"), sort);
        paged.addAll(ids(page));
        String token = page.getString("nextSkipToken");
        if (token == null) {
          assertNull(page.getValue("nextLink"), sort + ": the last page links nowhere");
          break;
        }
        page = get(targets() + "?sort=" + sort + "&$top=17&$skipToken=" + token);
        pages++;
      }
      assertEquals(whole, paged, sort + ": the pages, in order, are the list");
      assertEquals(TARGETS, new HashSet<>(paged).size(), sort + ": no row twice");
      assertEquals((TARGETS + 16) / 17, pages, sort);
    }
  }

  @Test
  void a_token_page_links_on_by_token_keeps_the_filters_and_matches_skip() {
    String first = targets() + "?sort=endTime&lifecycle=Succeeded,Failed&$top=10";
    JsonObject page = get(first);
    String link = page.getString("nextLink");
    assertTrue(link.contains("$skip=10"), "a $skip request links on by $skip: " + link);
    JsonObject byToken = get(targets() + "?sort=endTime&lifecycle=Succeeded,Failed&$top=10&$skipToken="
      + page.getString("nextSkipToken"));
    assertEquals(ids(get(first + "&$skip=10")), ids(byToken), "the token's page is $skip's page");
    String next = byToken.getString("nextLink");
    assertTrue(next.contains("$skipToken=") && !next.contains("$skip=") && next.contains("lifecycle="), next);
    JsonObject third = get(next.substring(next.indexOf("/api/v1") + "/api/v1".length()));
    assertEquals(ids(get(first + "&$skip=20")), ids(third));
    assertTrue(rows(third).stream().allMatch(t -> List.of("Succeeded", "Failed").contains(t.getString("lifecycle"))));
  }

  @Test
  void a_token_this_list_did_not_hand_out_is_a_bad_request_naming_it() {
    String token = get(targets() + "?sort=name&$top=5").getString("nextSkipToken");
    assertNotNull(token);
    assertBadRequest(targets() + "?sort=lifecycle&$skipToken=" + token, "a token of another sort");
    assertBadRequest(targets() + "?sort=name&$skip=5&$skipToken=" + token, "with $skip");
    assertBadRequest(targets() + "?sort=name&$skipToken=bm90IGpzb24", "not JSON");
    assertBadRequest(targets() + "?sort=name&$skipToken=" + URLEncoder.encode("a b/c", StandardCharsets.UTF_8),
      "not base64url");
    assertBadRequest(targets() + "?sort=name&$skipToken=" + forged("name", "[\"10.9.0.1:5432\",\"d\"]"),
      "too few keys");
    assertBadRequest(targets() + "?sort=name&$skipToken=" + forged("name", "[\"10.9.0.1:5432\",\"d\",\"one\"]"),
      "a step id that is no number");
    assertBadRequest(targets() + "?sort=endTime&$skipToken=" + forged("endTime", "[\"no time\",\"s\",\"d\",\"1\"]"),
      "an end time that is no time");
    assertBadRequest(targets() + "?sort=step&$skipToken=" + forged("step", "[null,\"s\",\"d\"]"), "a null key");
  }

  private static String forged(String sort, String after) {
    String json = "{\"sort\":\"" + sort + "\",\"after\":" + after + "}";
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String targets() {
    return JOB + "/executions/" + execution + "/targets";
  }

  private static List<JsonObject> rows(JsonObject page) {
    return page.getJsonArray("value").stream().map(JsonObject.class::cast).toList();
  }

  private static List<String> ids(JsonObject page) {
    return rows(page).stream().map(t -> t.getString("targetExecutionId")).toList();
  }

  private static JsonObject get(String path) {
    HttpResponse<Buffer> response = agent.admin().get(path);
    assertEquals(200, response.statusCode(), path + ": " + response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static void assertBadRequest(String path, String why) {
    HttpResponse<Buffer> response = agent.admin().get(path);
    assertEquals(400, response.statusCode(), why + ": " + response.bodyAsString());
    assertEquals("$skipToken", response.bodyAsJsonObject().getJsonObject("error").getString("target"), why);
  }

  private static void ok(HttpResponse<Buffer> response) {
    assertTrue(response.statusCode() < 300, response.bodyAsString());
  }

  /**
   * One execution of both steps on the same databases of three servers. Ended targets end at one of five instants
   * (ties across names); every 7th failed, every 11th was canceled before it started, every 13th never started.
   */
  private static final String SEED = """
      DO $$
      DECLARE j record; e uuid := gen_random_uuid(); t0 timestamptz := now() - interval '1 hour';
      BEGIN
        SELECT job_id, job_version INTO j FROM jobs_internal.jobs WHERE job_name = 'cursor';
        INSERT INTO jobs_internal.job_executions
          (job_execution_id, job_id, job_version, lifecycle, create_time, start_time, end_time, trigger_type)
        VALUES (e, j.job_id, j.job_version, 'Failed', t0, t0, t0 + interval '10 minutes', 'Manual');
        INSERT INTO jobs_internal.step_executions
          (job_execution_id, step_id, step_name, target_group_name, lifecycle, create_time, start_time, end_time)
        VALUES (e, 1, 'one', 'g', 'Failed', t0, t0, t0 + interval '10 minutes'),
               (e, 2, 'two', 'g', 'Failed', t0, t0, t0 + interval '10 minutes');
        INSERT INTO jobs_internal.target_executions
          (target_execution_id, job_execution_id, step_id, job_id, step_name, target_type, engine, server_name,
           server_key, database_name, lifecycle, create_time, start_time, end_time, current_attempts, max_attempts,
           last_message, parallel_group)
        SELECT gen_random_uuid(), e, s.step_id, j.job_id, s.step_name, 'SqlDatabase', 'postgresql', t.server,
               t.server, t.db, t.lifecycle, t0,
               CASE WHEN t.lifecycle IN ('Created', 'Canceled') THEN NULL ELSE t0 + (g %% 3) * interval '1 second' END,
               CASE WHEN t.lifecycle = 'Created' THEN NULL
                    WHEN t.lifecycle = 'Canceled' THEN t0 + interval '9 minutes'
                    ELSE t0 + interval '1 minute' * (1 + g %% 5) END,
               1, 1, t.lifecycle, t.server
          FROM generate_series(0, %d) g,
               (VALUES (1, 'one'), (2, 'two')) s(step_id, step_name),
               LATERAL (SELECT '10.9.0.' || (g %% 3 + 1) || ':5432' AS server, 'db_' || (g / 3) AS db,
                               CASE WHEN g %% 13 = 0 THEN 'Created' WHEN g %% 11 = 0 THEN 'Canceled'
                                    WHEN g %% 7 = 0 THEN 'Failed' ELSE 'Succeeded' END AS lifecycle) t;
      END $$""";
}
