package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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
class AccessControlTest {
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("access");
  private static ApiClient reader;
  private static ApiClient operator;

  /** One request of each kind: a read, a definition write, a secret write, and token administration. */
  private record Call(HttpMethod method, String path, JsonObject body) {
    HttpResponse<Buffer> by(ApiClient client) {
      return client.send(method, path, body == null ? null : body.toBuffer());
    }
  }

  private static final List<Call> READS = List.of(
    new Call(HttpMethod.GET, "/jobs", null),
    new Call(HttpMethod.GET, "/jobs/existing", null),
    new Call(HttpMethod.GET, "/jobs/existing/steps", null),
    new Call(HttpMethod.GET, "/jobs/existing/versions", null),
    new Call(HttpMethod.GET, "/targetGroups", null),
    new Call(HttpMethod.GET, "/credentials", null));
  private static final List<Call> ADMIN_ONLY = List.of(
    new Call(HttpMethod.PUT, "/jobs/written", new JsonObject()),
    new Call(HttpMethod.DELETE, "/jobs/deletable", null),
    new Call(HttpMethod.PUT, "/targetGroups/written", new JsonObject().put("members", new JsonArray())),
    new Call(HttpMethod.PUT, "/credentials/written", new JsonObject().put("username", "u").put("password", "p")),
    new Call(HttpMethod.GET, "/tokens", null),
    new Call(HttpMethod.POST, "/tokens", new JsonObject().put("name", "minted").put("role", "admin")));

  @BeforeAll
  static void setUp() {
    agent.admin().put("/jobs/existing", new JsonObject());
    reader = agent.as("reader");
    operator = agent.as("operator");
  }

  @Test
  void no_token_or_a_bad_token_gets_401_everywhere_without_revealing_existence() {
    for (ApiClient caller : List.of(agent.anonymous(), agent.admin().as("fjt_not_a_real_token"))) {
      for (Call call : concat(READS, ADMIN_ONLY)) {
        HttpResponse<Buffer> response = call.by(caller);
        assertEquals(401, response.statusCode(), call.toString());
        assertEquals("Unauthorized", response.bodyAsJsonObject().getJsonObject("error").getString("code"));
      }
      assertEquals(401, caller.get("/jobs/no-such-job").statusCode(), "a missing job looks like an existing one");
    }
  }

  @Test
  void no_spelling_of_a_path_slips_past_the_token_check() {
    ApiClient anonymous = agent.anonymous();
    JsonObject token = new JsonObject().put("name", "sneaky").put("role", "admin");
    assertEquals(401, anonymous.post("/tokens/", token).statusCode(), "trailing slash");
    assertEquals(401, anonymous.get("/credentials/").statusCode(), "trailing slash");
    assertEquals(401, anonymous.get("/cred%65ntials").statusCode(), "percent-encoded letter");
    assertEquals(401, anonymous.get("/jobs/../credentials").statusCode(), "dot segments");
    assertEquals(401, anonymous.put("/cred%65ntials/evil", new JsonObject().put("username", "u").put("password", "p"))
      .statusCode());
    assertEquals(401, anonymous.get("/no-such-resource").statusCode(), "unknown paths need a token too");
    assertEquals(403, reader.post("/tokens/", token).statusCode(), "a reader cannot mint through a trailing slash");
    assertEquals(404, agent.admin().get("/credentials/evil").statusCode());
    assertFalse(agent.admin().get("/tokens").bodyAsString().contains("sneaky"));
  }

  @Test
  void reader_and_operator_may_read_but_not_write() {
    for (ApiClient caller : List.of(reader, operator)) {
      READS.forEach(call -> assertEquals(200, call.by(caller).statusCode(), call.toString()));
      for (Call call : ADMIN_ONLY) {
        HttpResponse<Buffer> response = call.by(caller);
        assertEquals(403, response.statusCode(), call.toString());
        assertEquals("Forbidden", response.bodyAsJsonObject().getJsonObject("error").getString("code"));
      }
      assertEquals(403, caller.put("/jobs/no-such-job", new JsonObject().put("bogus", 1)).statusCode(),
        "the role is checked before the body, so a refused caller learns nothing about it");
    }
    assertEquals(200, agent.admin().get("/jobs/existing").statusCode());
    assertEquals(404, agent.admin().get("/jobs/written").statusCode(), "nothing was written");
  }

  @Test
  void admin_may_do_everything() {
    agent.admin().put("/jobs/deletable", new JsonObject());
    for (Call call : ADMIN_ONLY) {
      int status = call.by(agent.admin()).statusCode();
      assertFalse(status == 401 || status == 403, call + " gave " + status);
    }
  }

  @Test
  void issued_tokens_are_shown_once_listed_without_secrets_and_revocable() {
    HttpResponse<Buffer> issued = agent.admin().post("/tokens", new JsonObject().put("name", "ci").put("role", "reader"));
    assertEquals(201, issued.statusCode());
    String secret = issued.bodyAsJsonObject().getString("token");
    assertNotNull(secret);
    assertEquals("reader", issued.bodyAsJsonObject().getString("role"));
    assertEquals(409, agent.admin().post("/tokens", new JsonObject().put("name", "ci").put("role", "admin")).statusCode());

    String listed = agent.admin().get("/tokens").bodyAsString();
    assertFalse(listed.contains(secret));
    assertFalse(listed.contains("\"token\""));
    assertEquals(200, agent.admin().as(secret).get("/jobs").statusCode());

    assertEquals(204, agent.admin().delete("/tokens/ci").statusCode());
    assertEquals(401, agent.admin().as(secret).get("/jobs").statusCode());
    assertEquals(404, agent.admin().delete("/tokens/ci").statusCode());
  }

  @Test
  void openapi_document_and_health_need_no_token() {
    HttpResponse<Buffer> contract = agent.anonymous().get("/openapi.yaml");
    assertEquals(200, contract.statusCode());
    assertNotEquals(-1, contract.bodyAsString().indexOf("openapi: 3.1.0"));
    assertEquals(200, agent.anonymous().raw(HttpMethod.GET, "/health/live", null).statusCode());
    assertEquals(200, agent.anonymous().raw(HttpMethod.GET, "/health/ready", null).statusCode());
  }

  @Test
  void metrics_need_a_token_of_any_role() {
    for (ApiClient caller : List.of(agent.anonymous(), agent.admin().as("fjt_not_a_real_token"))) {
      HttpResponse<Buffer> refused = caller.raw(HttpMethod.GET, "/metrics", null);
      assertEquals(401, refused.statusCode());
      assertEquals("Unauthorized", refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
    }
    for (ApiClient caller : List.of(reader, operator, agent.admin())) {
      HttpResponse<Buffer> scraped = caller.raw(HttpMethod.GET, "/metrics", null);
      assertEquals(200, scraped.statusCode());
      assertTrue(scraped.bodyAsString().contains("fleetjobs_tier_capacity"), scraped.bodyAsString());
    }
  }

  private static List<Call> concat(List<Call> a, List<Call> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
