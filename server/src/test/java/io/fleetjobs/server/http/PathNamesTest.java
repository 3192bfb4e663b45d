package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.PathSegments;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A name in a URL is percent-decoded once, as plain text: every name the contract accepts is created, read,
 * updated and deleted by its percent-encoded form, and no other spelling reaches it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PathNamesTest {
  /** Each one broke before: JSON-unescaped, refused as undecodable, parsed as a number, or '+' read as a space. */
  private static final List<String> NAMES = List.of(
    "back\\slash", "quo\"te", "esc\\u0041pe", "per%cent", "plus+sign", "sl/ash", "spa ce", "emoji \uD83D\uDE00 \uD800\uDF48",
    "-1", "[1]", "\"quoted\"", "a\\\\b", "%41", "..more", "trailing ");

  private static AgentFixture agent;
  private static ApiClient admin;

  @BeforeAll
  static void start(Vertx vertx) {
    agent = AgentFixture.start(vertx, "path_names");
    admin = agent.admin();
    admin.put("/targetGroups/group", new JsonObject().put("members", new JsonArray()));
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  @Test
  void the_reported_alias_no_longer_deletes_another_job() {
    created(admin.put("/jobs/sec-victim", new JsonObject()));
    HttpResponse<Buffer> decoy = admin.put("/jobs/sec-victi%5C%5Cu006d", new JsonObject());
    created(decoy);
    assertEquals("sec-victi\\\\u006d", decoy.bodyAsJsonObject().getString("name"));

    assertEquals(404, admin.delete("/jobs/sec-victi%5Cu006d").statusCode(), "no job has that name");
    assertEquals(200, admin.get("/jobs/sec-victim").statusCode(), "the victim survives");
    assertEquals(404, admin.get("/jobs/sec-victim%5Cu002d").statusCode());
    created(admin.put("/jobs/base-job", new JsonObject()));
    assertEquals(404, admin.get("/jobs/base%5Cu002djob").statusCode());
  }

  @Test
  void every_name_round_trips_on_credentials_groups_jobs_steps_and_tokens() {
    List<String> failures = new ArrayList<>();
    for (String name : NAMES) {
      String path = PathSegments.encode(name);
      roundTrip(failures, "/credentials/" + path, name, new JsonObject().put("username", "u").put("password", "p"));
      roundTrip(failures, "/targetGroups/" + path, name, new JsonObject().put("members", new JsonArray()));
      if (!name.contains("%")) {
        // Job names follow sp_add_job, which refuses '%'.
        roundTrip(failures, "/jobs/" + path, name, new JsonObject());
        admin.put("/jobs/" + path, new JsonObject());
        roundTrip(failures, "/jobs/" + path + "/steps/" + path, name, new JsonObject().put("targetGroup", "group")
          .put("action", new JsonObject().put("value", "SELECT 1")));
        admin.delete("/jobs/" + path);
      }
      HttpResponse<Buffer> token = admin.post("/tokens", new JsonObject().put("name", name).put("role", "reader"));
      check(failures, name + " token issued", 201, token);
      check(failures, name + " token revoked", 204, admin.delete("/tokens/" + path));
      check(failures, name + " token gone", 404, admin.delete("/tokens/" + path));
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void a_plus_in_a_path_is_a_plus_and_an_escape_names_itself() {
    created(admin.put("/credentials/a+b", new JsonObject().put("username", "u").put("password", "p")));
    assertEquals("a+b", admin.get("/credentials/a%2Bb").bodyAsJsonObject().getString("name"));
    assertEquals(404, admin.get("/credentials/a%20b").statusCode(), "'+' is not a space in a path");

    created(admin.put("/credentials/escApe", new JsonObject().put("username", "u").put("password", "p")));
    assertEquals(404, admin.get("/credentials/esc%5Cu0041pe").statusCode());
    assertEquals(404, admin.get("/credentials/%22escApe%22").statusCode(), "JSON quotes are part of the name");
    assertEquals(200, admin.get("/credentials/esc%41pe").statusCode(), "%41 is A, the same URL");
  }

  @Test
  void dot_segments_cannot_shift_path_parameters() {
    created(admin.put("/credentials/dotted", new JsonObject().put("username", "u").put("password", "p")));
    HttpResponse<Buffer> response = admin.get("/jobs/../credentials/dotted");
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals("dotted", response.bodyAsJsonObject().getString("name"));
  }

  @Test
  void alert_resources_take_their_narrower_names_and_refuse_the_rest() {
    String name = "Nightly (db-1) v2.0";
    JsonObject rule = new JsonObject().put("criteria", new JsonObject().put("allOf", new JsonArray()
      .add(new JsonObject().put("metricName", "elastic_jobs_failed").put("operator", "GreaterThan").put("threshold", 0))));
    List<String> failures = new ArrayList<>();
    roundTrip(failures, "/alertRules/" + PathSegments.encode(name), name, rule);
    roundTrip(failures, "/actionGroups/" + PathSegments.encode(name), name, new JsonObject());
    roundTrip(failures, "/alertProcessingRules/" + PathSegments.encode(name), name, new JsonObject().put("mode", "Drop"));
    assertEquals(List.of(), failures);

    created(admin.put("/alertRules/escApe", rule));
    for (String alias : List.of("esc%5Cu0041pe", "%22escApe%22", "quo%22te")) {
      HttpResponse<Buffer> response = admin.get("/alertRules/" + alias);
      assertEquals(400, response.statusCode(), alias + ": " + response.bodyAsString());
      assertEquals("name", response.bodyAsJsonObject().getJsonObject("error").getString("target"));
    }
  }

  private static void roundTrip(List<String> failures, String path, String name, JsonObject body) {
    HttpResponse<Buffer> created = admin.put(path, body);
    check(failures, path + " create", 201, created);
    if (created.statusCode() == 201) {
      expectName(failures, path + " create", created, name);
    }
    check(failures, path + " replace", 200, admin.put(path, body));
    HttpResponse<Buffer> read = admin.get(path);
    check(failures, path + " read", 200, read);
    if (read.statusCode() == 200) {
      expectName(failures, path + " read", read, name);
    }
    check(failures, path + " delete", 204, admin.delete(path));
    check(failures, path + " gone", 404, admin.get(path));
  }

  private static void expectName(List<String> failures, String what, HttpResponse<Buffer> response, String name) {
    String got = response.bodyAsJsonObject().getString("name");
    if (!name.equals(got)) {
      failures.add(what + ": named '" + got + "', not '" + name + "'");
    }
  }

  private static void check(List<String> failures, String what, int status, HttpResponse<Buffer> response) {
    if (response.statusCode() != status) {
      failures.add(what + ": wanted " + status + ", got " + response.statusCode() + " " + response.bodyAsString());
    }
  }

  private static void created(HttpResponse<Buffer> response) {
    assertEquals(201, response.statusCode(), response.bodyAsString());
  }
}
