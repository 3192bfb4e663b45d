package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Scenario;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Timeout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobStepsApiTest {
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("steps");

  @BeforeAll
  static void setUp() {
    Scenario.on(agent)
      .credential("job-login")
      .group("fleet")
      .databasesOn("localhost", "t1")
      .create();
    agent.admin().put("/targetGroups/mssql-fleet", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "mssql.example.com").put("databaseName", "t1")
        .put("engine", "sqlserver"))));
  }

  @Test
  void every_step_change_bumps_the_version_and_history_keeps_each_definition() {
    agent.admin().put("/jobs/history", new JsonObject());
    assertEquals(1, put("history", "a", step("SELECT 'a1'")).bodyAsJsonObject().getInteger("jobVersion"));
    assertEquals(2, put("history", "b", step("SELECT 'b1'")).bodyAsJsonObject().getInteger("jobVersion"));
    assertEquals(3, put("history", "a", step("SELECT 'a2'")).bodyAsJsonObject().getInteger("jobVersion"));
    assertEquals(204, agent.admin().delete("/jobs/history/steps/b").statusCode());
    assertEquals(4, agent.admin().get("/jobs/history").bodyAsJsonObject().getInteger("version"));

    JsonArray versions = agent.admin().get("/jobs/history/versions").bodyAsJsonObject().getJsonArray("value");
    assertEquals(List.of(0, 1, 2, 3, 4), versions.stream().map(v -> ((JsonObject) v).getInteger("version")).toList());
    assertEquals(List.of("a"), names("/jobs/history/versions/1/steps"));
    assertEquals(List.of("a", "b"), names("/jobs/history/versions/2/steps"));
    assertEquals("SELECT 'a1'", agent.admin().get("/jobs/history/versions/2/steps/a").bodyAsJsonObject()
      .getJsonObject("action").getString("value"));
    assertEquals("SELECT 'a2'", agent.admin().get("/jobs/history/versions/3/steps/a").bodyAsJsonObject()
      .getJsonObject("action").getString("value"));
    assertEquals(List.of("a"), names("/jobs/history/steps"));
    assertEquals(404, agent.admin().get("/jobs/history/versions/9/steps").statusCode());
  }

  @Test
  void inserting_at_an_existing_step_id_shifts_that_step_and_later_ones() {
    agent.admin().put("/jobs/insert", new JsonObject());
    put("insert", "one", step("SELECT 1"));
    put("insert", "two", step("SELECT 2"));
    HttpResponse<Buffer> inserted = put("insert", "first", step("SELECT 0").put("stepId", 1));
    assertEquals(201, inserted.statusCode());
    assertEquals(List.of("first", "one", "two"), names("/jobs/insert/steps"));
    assertEquals(List.of(1, 2, 3), ids("/jobs/insert/steps"));
  }

  @Test
  void moving_a_step_renumbers_the_others_without_gaps() {
    agent.admin().put("/jobs/reorder", new JsonObject());
    put("reorder", "a", step("SELECT 1"));
    put("reorder", "b", step("SELECT 2"));
    put("reorder", "c", step("SELECT 3"));
    assertEquals(200, put("reorder", "c", step("SELECT 3").put("stepId", 1)).statusCode());
    assertEquals(List.of("c", "a", "b"), names("/jobs/reorder/steps"));
    put("reorder", "c", step("SELECT 3").put("stepId", 3));
    assertEquals(List.of("a", "b", "c"), names("/jobs/reorder/steps"));
    agent.admin().delete("/jobs/reorder/steps/a");
    assertEquals(List.of(1, 2), ids("/jobs/reorder/steps"));
    assertEquals(List.of("b", "c"), names("/jobs/reorder/steps"));
  }

  @Test
  void step_ids_leave_no_gaps() {
    agent.admin().put("/jobs/gaps", new JsonObject());
    HttpResponse<Buffer> refused = put("gaps", "far", step("SELECT 1").put("stepId", 3));
    assertEquals(400, refused.statusCode());
    assertEquals("stepId", refused.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertEquals(0, agent.admin().get("/jobs/gaps").bodyAsJsonObject().getInteger("version"));
  }

  @Test
  void reapplying_an_identical_step_makes_no_new_version() {
    agent.admin().put("/jobs/idempotent", new JsonObject());
    JsonObject definition = step("SELECT 1").put("credential", "job-login");
    assertEquals(201, put("idempotent", "s", definition).statusCode());
    HttpResponse<Buffer> again = put("idempotent", "s", definition);
    assertEquals(200, again.statusCode());
    assertEquals(1, again.bodyAsJsonObject().getInteger("jobVersion"));
    assertEquals(1, agent.admin().get("/jobs/idempotent").bodyAsJsonObject().getInteger("version"));
  }

  @Test
  void a_step_carries_every_reference_field_with_its_default() {
    agent.admin().put("/jobs/fields", new JsonObject());
    JsonObject stored = put("fields", "full", step("SELECT now() AS at")
        .put("credential", "job-login")
        .put("output", new JsonObject().put("serverName", "out.example.com:5433").put("databaseName", "results")
          .put("tableName", "runs").put("credential", "job-login"))
        .put("executionOptions", new JsonObject().put("timeoutSeconds", 60).put("retryAttempts", 2))
        .put("maxParallelism", 5))
      .bodyAsJsonObject();
    assertEquals("fleet", stored.getString("targetGroup"));
    assertEquals("Sql", stored.getJsonObject("action").getString("type"), "the group has postgresql members only");
    assertEquals("Inline", stored.getJsonObject("action").getString("source"));
    JsonObject output = stored.getJsonObject("output");
    assertEquals("SqlDatabase", output.getString("type"));
    assertEquals("public", output.getString("schemaName"), "PostgreSQL outputs default to the public schema");
    assertEquals("postgresql", output.getString("engine"));
    JsonObject options = stored.getJsonObject("executionOptions");
    assertEquals(60, options.getInteger("timeoutSeconds"));
    assertEquals(2, options.getInteger("retryAttempts"));
    assertEquals(1, options.getInteger("initialRetryIntervalSeconds"));
    assertEquals(120, options.getInteger("maximumRetryIntervalSeconds"));
    assertEquals(2.0, options.getDouble("retryIntervalBackoffMultiplier"));
    assertEquals(5, stored.getInteger("maxParallelism"));

    // A step on sqlserver targets may leave the credential out (the agent may sign in as its Entra identity).
    JsonObject sqlServerOutput = put("fields", "mssql-out", step("SELECT 1").put("targetGroup", "mssql-fleet")
      .putNull("credential").put("output", new JsonObject()
        .put("serverName", "srv.database.windows.net").put("databaseName", "results").put("tableName", "runs")
        .put("engine", "sqlserver")))
      .bodyAsJsonObject().getJsonObject("output");
    assertEquals("dbo", sqlServerOutput.getString("schemaName"));
    assertNull(agent.admin().get("/jobs/fields/steps/mssql-out").bodyAsJsonObject().getString("credential"));
  }

  @Test
  void the_default_action_type_follows_the_engines_of_the_group() {
    agent.admin().put("/targetGroups/mssql", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "sql1").put("databaseName", "t1")
        .put("engine", "sqlserver"))));
    agent.admin().put("/jobs/typed", new JsonObject());
    assertEquals("TSql", put("typed", "mssql", step("SELECT 1").put("targetGroup", "mssql")).bodyAsJsonObject()
      .getJsonObject("action").getString("type"), "sqlcmd's batches for SQL Server");
    assertEquals("Sql", put("typed", "pg", step("SELECT 1")).bodyAsJsonObject()
      .getJsonObject("action").getString("type"), "psql's statements for PostgreSQL");
    assertEquals("TSql", put("typed", "pg", step("SELECT 1").put("action", new JsonObject().put("value", "SELECT 1")
      .put("type", "TSql"))).bodyAsJsonObject().getJsonObject("action").getString("type"), "a named type is kept");
  }

  @Test
  void illegal_step_settings_are_refused_naming_the_field() {
    agent.admin().put("/jobs/illegal", new JsonObject());
    assertRefused(step("SELECT 1").put("targetGroup", "missing"), "targetGroup", "UnknownReference");
    assertRefused(step("SELECT 1").put("credential", "missing"), "credential", "UnknownReference");
    assertRefused(step("   "), "action.value", "InvalidValue");
    assertRefused(step("SELECT 1").put("executionOptions", new JsonObject()
      .put("initialRetryIntervalSeconds", 10).put("maximumRetryIntervalSeconds", 5)),
      "executionOptions.maximumRetryIntervalSeconds", "InvalidValue");
    assertRefused(step("SELECT 1").put("output", new JsonObject().put("serverName", "h").put("databaseName", "d")
      .put("tableName", "t").put("credential", "missing")), "output.credential", "UnknownReference");
    assertEquals(0, agent.admin().get("/jobs/illegal").bodyAsJsonObject().getInteger("version"));
  }

  @Test
  void steps_of_a_missing_job_are_not_found() {
    HttpResponse<Buffer> missing = put("no-such-job", "s", step("SELECT 1"));
    assertEquals(404, missing.statusCode());
    assertEquals("name", missing.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertEquals(404, agent.admin().get("/jobs/no-such-job/steps").statusCode());
  }

  private static void assertRefused(JsonObject body, String target, String code) {
    HttpResponse<Buffer> refused = put("illegal", "s", body);
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertEquals(target, error.getString("target"), refused.bodyAsString());
    assertEquals(code, error.getString("code"));
  }

  @Test
  void a_name_that_could_end_a_literal_cannot_meet_a_text_variable() {
    // The reported job: with SELECT '$(job_name)' it dropped the table.
    String job = "x%27%3B%20DROP%20TABLE%20t%3B%20SELECT%20%27";
    assertEquals(201, agent.admin().put("/jobs/" + job, new JsonObject()).statusCode(), "names stay free");
    HttpResponse<Buffer> refused = put(job, "s", step("SELECT '$(job_name)'"));
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertEquals("action.value", error.getString("target"));
    assertTrue(error.getString("message").contains("$(job_name_literal)"), error.getString("message"));
    assertEquals(201, put(job, "s", step("SELECT $(job_name_literal), '$(step_name)', $(job_id)")).statusCode());

    agent.admin().put("/jobs/plain", new JsonObject());
    assertEquals(400, put("plain", "semi%3Bcolon", step("SELECT '$(step_name)'")).statusCode());
    assertEquals(201, put("plain", "semi%3Bcolon", step("SELECT $(step_name_literal)")).statusCode());
    agent.admin().put("/targetGroups/quo%22ted", new JsonObject().put("members", new JsonArray()));
    HttpResponse<Buffer> group = put("plain", "g", step("SELECT '$(target_group_name)'").put("targetGroup", "quo\"ted"));
    assertEquals(400, group.statusCode(), group.bodyAsString());
    assertEquals(201, put("plain", "g", step("SELECT $(target_group_name_literal)").put("targetGroup", "quo\"ted"))
      .statusCode());
  }

  private static HttpResponse<Buffer> put(String job, String step, JsonObject body) {
    return agent.admin().put("/jobs/" + job + "/steps/" + step, body);
  }

  private static JsonObject step(String command) {
    return new JsonObject().put("targetGroup", "fleet").put("credential", "job-login")
      .put("action", new JsonObject().put("value", command));
  }

  private static List<String> names(String path) {
    return agent.admin().get(path).bodyAsJsonObject().getJsonArray("value").stream()
      .map(s -> ((JsonObject) s).getString("name")).toList();
  }

  private static List<Integer> ids(String path) {
    return agent.admin().get(path).bodyAsJsonObject().getJsonArray("value").stream()
      .map(s -> ((JsonObject) s).getInteger("stepId")).toList();
  }
}
