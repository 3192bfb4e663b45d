package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Scenario;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Timeout;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every kind of bad input gets a 4xx whose error names the field, never a 500, and leaves every
 * table of the job database exactly as it was.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class BadInputTest {
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("bad_input");

  private record Case(String what, HttpMethod method, String path, Buffer body, int status, String code, String target) {
  }

  @BeforeAll
  static void setUp() {
    // The step signs in with "cred", as the step() of the cases does: a group of postgresql members needs one.
    Scenario.on(agent)
      .credential("cred")
      .group("group")
      .databasesOn("h", "d")
      .job("job")
      .description("kept")
      .step("step", "SELECT 1")
      .create();
  }

  @Test
  void bad_input_is_refused_with_the_field_named_and_nothing_stored() throws SQLException {
    String longName = "n".repeat(129);
    List<Case> cases = List.of(
      put("malformed JSON", "/jobs/job", Buffer.buffer("{\"description\": "), 400, "InvalidJson", "body"),
      put("wrong type", "/jobs/job", json("description", 5), 400, "InvalidValue", "description"),
      put("NUL in free text", "/jobs/job", json("description", "a\u0000b"), 400, "InvalidValue", "description"),
      put("NUL in a command", "/jobs/job/steps/step", step().put("action", new JsonObject().put("value", "SELECT '\u0000'"))
        .toBuffer(), 400, "InvalidValue", "action.value"),
      put("null for a string", "/jobs/job", json("description", null), 400, "InvalidValue", "description"),
      put("wrong nested type", "/jobs/job", new JsonObject().put("schedule", json("enabled", "yes")).toBuffer(),
        400, "InvalidValue", "schedule.enabled"),
      put("array expected", "/targetGroups/group", json("members", "all of them"), 400, "InvalidValue", "members"),
      put("unknown field", "/jobs/job", json("descripton", "typo"), 400, "InvalidValue", "descripton"),
      put("unknown nested field", "/targetGroups/group", new JsonObject().put("members", new JsonArray()
        .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "h").put("databaseName", "d")
          .put("serverNmae", "typo"))).toBuffer(), 400, "InvalidValue", "members[0].serverNmae"),
      put("missing required field", "/credentials/cred", json("username", "u"), 400, "InvalidValue", "password"),
      put("empty body", "/jobs/job/steps/step", null, 400, "InvalidValue", "body"),
      put("name over 128 characters", "/jobs/" + longName, json("description", "x"), 400, "InvalidValue", "name"),
      put("control character in a name", "/jobs/bad%01name", json("description", "x"), 400, "InvalidValue", "name"),
      put("control character in a field", "/targetGroups/group", new JsonObject().put("members", new JsonArray()
        .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "h").put("databaseName", "d\u0007")))
        .toBuffer(), 400, "InvalidValue", "members[0].databaseName"),
      put("body name contradicts the URL", "/jobs/job", json("name", "other"), 400, "InvalidValue", "name"),
      put("body over 1 MiB", "/jobs/job", json("description", "x".repeat(1024 * 1024 + 1)), 413, "BodyTooLarge", "body"),
      put("unknown reference", "/jobs/job/steps/step", step().put("targetGroup", "ghost").toBuffer(),
        400, "UnknownReference", "targetGroup"),
      put("unknown credential", "/jobs/job/steps/step", step().put("credential", "ghost").toBuffer(),
        400, "UnknownReference", "credential"),
      put("step on a missing job", "/jobs/ghost/steps/step", step().toBuffer(), 404, "NotFound", "name"),
      put("illegal combination", "/targetGroups/group", new JsonObject().put("members", new JsonArray()
        .add(new JsonObject().put("type", "SqlElasticPool").put("serverName", "h").put("elasticPoolName", "p")))
        .toBuffer(), 400, "InvalidValue", "members[0].engine"),
      put("TLS mode on a sqlserver member", "/targetGroups/group", member(new JsonObject().put("engine", "sqlserver")
        .put("sslMode", "require")), 400, "InvalidValue", "members[0].sslMode"),
      put("MySQL's TLS mode on a postgresql member", "/targetGroups/group", member(new JsonObject()
        .put("sslMode", "VERIFY_CA")), 400, "InvalidValue", "members[0].sslMode"),
      put("libpq's TLS mode on a mysql member", "/targetGroups/group", member(new JsonObject().put("engine", "mysql")
        .put("sslMode", "verify-full")), 400, "InvalidValue", "members[0].sslMode"),
      put("Entra on a mysql member", "/targetGroups/group", member(new JsonObject().put("engine", "mysql")
        .put("authentication", "Entra")), 400, "InvalidValue", "members[0].authentication"),
      put("an Entra token to an unverified server", "/targetGroups/group", member(new JsonObject()
        .put("authentication", "Entra").put("sslMode", "require")), 400, "InvalidValue", "members[0].sslMode"),
      put("an unknown TLS mode", "/targetGroups/group", member(new JsonObject().put("sslMode", "always")), 400,
        "InvalidValue", "members[0].sslMode"),
      put("out of range integer", "/jobs/job/steps/step", step().put("stepId", 99_999_999_999L).toBuffer(),
        400, "InvalidValue", "stepId"),
      put("enum value", "/jobs/job/steps/step", step().put("action", new JsonObject().put("value", "x")
        .put("type", "Bash")).toBuffer(), 400, "InvalidValue", "action.type"),
      new Case("duplicate token", HttpMethod.POST, "/tokens", new JsonObject().put("name", "admin")
        .put("role", "reader").toBuffer(), 409, "Conflict", "name"),
      new Case("token name over 128", HttpMethod.POST, "/tokens", new JsonObject().put("name", longName)
        .put("role", "reader").toBuffer(), 400, "InvalidValue", "name"),
      new Case("query of the wrong type", HttpMethod.GET, "/jobs?$top=many", null, 400, "InvalidValue", "$top"),
      new Case("query out of range", HttpMethod.GET, "/jobs?$top=100000", null, 400, "InvalidValue", "$top"),
      new Case("path of the wrong type", HttpMethod.GET, "/jobs/job/versions/latest", null, 400, "InvalidValue",
        "version"),
      new Case("delete of a missing object", HttpMethod.DELETE, "/credentials/ghost", null, 404, "NotFound", "name"));

    String before = snapshot();
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      HttpResponse<Buffer> response = agent.admin().send(c.method(), c.path(), c.body());
      JsonObject error = response.bodyAsJsonObject().getJsonObject("error");
      assertNotNull(error, c.what() + ": " + response.bodyAsString());
      String got = response.statusCode() + " " + error.getString("code") + " " + error.getString("target");
      String want = c.status() + " " + c.code() + " " + c.target();
      if (!got.equals(want)) {
        failures.add(c.what() + ": wanted " + want + ", got " + got + " " + error.getString("message"));
      }
      assertNotNull(error.getString("message"), c.what());
    }
    assertEquals(List.of(), failures);
    assertEquals(before, snapshot(), "bad input changed stored state");
  }

  @Test
  void a_nul_in_an_alert_field_is_refused_with_the_field_named() {
    JsonObject dimension = new JsonObject().put("name", "jobName").put("values", new JsonArray().add("*"));
    JsonObject criterion = new JsonObject().put("metricName", "elastic_jobs_failed").put("operator", "GreaterThan")
      .put("threshold", 0).put("dimensions", new JsonArray().add(dimension));
    JsonObject condition = new JsonObject().put("field", "AlertRuleName").put("operator", "Equals")
      .put("values", new JsonArray().add("rule"));
    String nul = "a\u0000b";
    List<Case> cases = List.of(
      put("rule description", "/alertRules/nul", rule(criterion).put("description", nul), 400, "InvalidValue",
        "description"),
      put("criterion name", "/alertRules/nul", rule(criterion.copy().put("name", nul)), 400, "InvalidValue",
        "criteria.allOf[0].name"),
      put("dimension value", "/alertRules/nul", rule(criterion.copy().put("dimensions", new JsonArray()
        .add(dimension.copy().put("values", new JsonArray().add(nul))))), 400, "InvalidValue",
        "criteria.allOf[0].dimensions[0].values[0]"),
      put("processing rule description", "/alertProcessingRules/nul", new JsonObject().put("mode", "Drop")
        .put("description", nul), 400, "InvalidValue", "description"),
      put("condition value", "/alertProcessingRules/nul", new JsonObject().put("mode", "Drop")
        .put("conditions", new JsonArray().add(condition.copy().put("values", new JsonArray().add(nul)))),
        400, "InvalidValue", "conditions[0].values[0]"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      HttpResponse<Buffer> response = agent.admin().send(c.method(), c.path(), c.body());
      String got = response.statusCode() + " " + response.bodyAsString();
      if (response.statusCode() != c.status()
        || !c.target().equals(response.bodyAsJsonObject().getJsonObject("error").getString("target"))) {
        failures.add(c.what() + ": " + got);
      }
    }
    assertEquals(List.of(), failures);
    assertEquals(404, agent.admin().get("/alertRules/nul").statusCode());
    assertEquals(404, agent.admin().get("/alertProcessingRules/nul").statusCode());
  }

  private static JsonObject rule(JsonObject criterion) {
    return new JsonObject().put("criteria", new JsonObject().put("allOf", new JsonArray().add(criterion)));
  }

  @Test
  void messages_say_what_is_wrong() {
    assertMessage(put("/jobs/job", json("description", 5)), "Expected string");
    assertMessage(put("/jobs/job", json("descripton", "typo")), "Unknown property 'descripton'");
    assertMessage(put("/jobs/job/steps/step", step().put("executionOptions", new JsonObject().put("retryAttempts", -1))),
      "less than 0");
    assertMessage(put("/targetGroups/group", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "h").put("databaseName", "d")
        .put("engine", "oracle")))), "does not match any of");
  }

  private static HttpResponse<Buffer> put(String path, JsonObject body) {
    return agent.admin().put(path, body);
  }

  /** A target group of one database member with the given settings on top. */
  private static Buffer member(JsonObject settings) {
    return new JsonObject().put("members", new JsonArray().add(new JsonObject().put("type", "SqlDatabase")
      .put("serverName", "h").put("databaseName", "d").mergeIn(settings))).toBuffer();
  }

  private static void assertMessage(HttpResponse<Buffer> response, String expected) {
    assertEquals(400, response.statusCode(), response.bodyAsString());
    String message = response.bodyAsJsonObject().getJsonObject("error").getString("message");
    org.junit.jupiter.api.Assertions.assertTrue(message.contains(expected), message);
  }

  @Test
  void wrong_content_type_is_a_client_error() {
    HttpResponse<Buffer> response = agent.admin()
      .send(HttpMethod.PUT, "/jobs/job", "text/plain", Buffer.buffer("description=x"));
    assertEquals(4, response.statusCode() / 100, response.bodyAsString());
    assertNotNull(response.bodyAsJsonObject().getJsonObject("error"));
  }

  /** Every row of every table the agent owns, as text; but the agents' heartbeats, which tick on their own. */
  private static String snapshot() throws SQLException {
    StringBuilder all = new StringBuilder();
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rows = sql.executeQuery("SELECT table_name FROM information_schema.tables"
        + " WHERE table_schema = 'jobs_internal' AND table_type = 'BASE TABLE' AND table_name <> 'agents'"
        + " ORDER BY table_name")) {
        while (rows.next()) {
          tables.add(rows.getString(1));
        }
      }
      for (String table : tables) {
        try (ResultSet rows = sql.executeQuery("SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')"
          + " FROM jobs_internal." + table + " t")) {
          rows.next();
          all.append(table).append(":\n").append(rows.getString(1)).append('\n');
        }
      }
    }
    return all.toString();
  }

  private static Case put(String what, String path, Object body, int status, String code, String target) {
    Buffer buffer = body == null ? null : body instanceof Buffer b ? b : ((JsonObject) body).toBuffer();
    return new Case(what, HttpMethod.PUT, path, buffer, status, code, target);
  }

  private static JsonObject json(String key, Object value) {
    return new JsonObject().put(key, value);
  }

  private static JsonObject step() {
    return new JsonObject().put("targetGroup", "group").put("credential", "cred").put("action", new JsonObject().put("value", "SELECT 1"));
  }
}
