package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Contract;
import io.fleetjobs.server.testsupport.RawRequests;
import io.fleetjobs.server.testsupport.RawRequests.Answer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Requests derived from the OpenAPI contract, seeded. First, requests the contract refuses (a wrong type, a
 * missing or unknown field, a value out of range, pattern or enum, malformed JSON, bytes that are not UTF-8,
 * broken percent escapes, names too long, a wrong content type, a body too large): each must be a 4xx in the
 * error envelope, and together they must leave the stored definitions exactly as they were. Then hostile but
 * valid requests (quotes, markup, template and path syntax, invisible and non-BMP characters, names of the
 * longest length) on every operation: none may be a 5xx. A failure names its seed; replay it with
 * {@code -Dfleetjobs.fuzz.seed=<seed>}.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ContractFuzzTest {
  private static final long SEED = Long.getLong("fleetjobs.fuzz.seed", new SecureRandom().nextLong());
  private static final int INVALID_REQUESTS = 1600;
  private static final int HOSTILE_REQUESTS = 600;
  /**
   * Operations that act beyond the job database (run, connect to servers, send, stream): hostile requests name
   * nothing they could act on, so the fuzz stays quick and leaves the network alone.
   */
  private static final Set<String> SIDE_EFFECTS = Set.of("startJob", "putJobExecution", "rerunFailedTargets",
    "cancelJobExecution", "testCredential", "testActionGroup", "replayNotification", "purgeJobExecutions",
    "streamEvents", "previewJobTargets", "previewStepTargets", "previewTargetGroupTargets");

  private static AgentFixture agent;
  private static Contract contract;
  private static List<Contract.Operation> operations;
  private static RawRequests http;

  @BeforeAll
  static void start(Vertx vertx) {
    System.out.println("ContractFuzzTest seed: " + SEED + " (replay with -Dfleetjobs.fuzz.seed=" + SEED + ")");
    agent = AgentFixture.start(vertx, "contract_fuzz");
    contract = Contract.load(vertx);
    operations = contract.operations();
    http = new RawRequests(vertx, agent.port());
    // One of each definition, so that requests reach objects that exist.
    agent.admin().put("/credentials/cred", new JsonObject().put("username", "u").put("password", "p"));
    agent.admin().put("/targetGroups/group", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "h").put("databaseName", "d"))));
    agent.admin().put("/jobs/job", new JsonObject().put("description", "kept"));
    agent.admin().put("/jobs/job/steps/step", new JsonObject().put("targetGroup", "group").put("credential", "cred")
      .put("action", new JsonObject().put("value", "SELECT 1")));
    agent.admin().put("/alertRules/rule", new JsonObject().put("criteria", new JsonObject().put("allOf",
      new JsonArray().add(new JsonObject().put("metricName", "elastic_jobs_failed").put("operator", "GreaterThan")
        .put("threshold", 0)))));
    agent.admin().put("/actionGroups/group", new JsonObject().put("emailReceivers", new JsonArray()
      .add(new JsonObject().put("name", "oncall").put("emailAddress", "oncall@example.test"))));
    agent.admin().put("/alertProcessingRules/quiet", new JsonObject().put("mode", "Drop"));
  }

  @AfterAll
  static void stop() {
    http.close();
    agent.close();
  }

  @Test
  void requests_the_contract_refuses_are_4xx_in_the_envelope_and_change_nothing() throws SQLException {
    Random random = new Random(SEED);
    String before = definitions();
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < INVALID_REQUESTS && failures.size() < 20; i++) {
      Contract.Operation operation = operations.get(random.nextInt(operations.size()));
      FuzzRequest request = new RequestFuzzer(contract, random).invalid(operation);
      Answer answer = send(request);
      if (answer.status() < 400 || answer.status() >= 500 || !isEnvelope(answer)) {
        failures.add(i + " " + request + " -> " + answer.status() + " " + answer.body());
      }
    }
    assertEquals(List.of(), failures, "seed " + SEED);
    assertEquals(before, definitions(), "refused requests changed stored state; seed " + SEED);
  }

  @Test
  void hostile_but_valid_requests_never_fail_the_server() {
    Random random = new Random(~SEED);
    List<String> failures = new ArrayList<>();
    for (int i = 0; i < HOSTILE_REQUESTS && failures.size() < 20; i++) {
      Contract.Operation operation = operations.get(random.nextInt(operations.size()));
      FuzzRequest request = new RequestFuzzer(contract, random).hostile(operation,
        SIDE_EFFECTS.contains(operation.id()));
      Answer answer = send(request);
      if (answer.status() >= 500) {
        failures.add(i + " " + request + " -> " + answer.status() + " " + answer.body());
      }
    }
    assertEquals(List.of(), failures, "seed " + SEED);
    assertEquals(200, http.send(HttpMethod.GET, "/health/ready", null, null, null).status());
  }

  private static Answer send(FuzzRequest request) {
    return http.send(request.method(), request.uri(), AgentFixture.ADMIN_TOKEN, request.contentType(),
      request.body());
  }

  private static boolean isEnvelope(Answer answer) {
    try {
      JsonObject error = new JsonObject(answer.body()).getJsonObject("error");
      return error != null && error.getString("code") != null && error.getString("message") != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Every stored definition, as text: the jobs.* views and the tables behind what they leave out. */
  private static String definitions() throws SQLException {
    List<String> queries = List.of(
      "SELECT t::text FROM jobs.jobs t", "SELECT t::text FROM jobs.job_versions t",
      "SELECT t::text FROM jobs.jobstep_versions t", "SELECT t::text FROM jobs.target_groups t",
      "SELECT t::text FROM jobs.target_group_members t", "SELECT t::text FROM jobs_internal.jobs t",
      "SELECT t::text FROM jobs_internal.credentials t", "SELECT t::text FROM jobs_internal.access_tokens t",
      "SELECT t::text FROM jobs_internal.agent_settings t", "SELECT t::text FROM jobs_internal.job_executions t",
      "SELECT (rule_name, definition, enabled, created_at, updated_at)::text FROM alerts.alert_rules",
      "SELECT t::text FROM alerts.action_groups t", "SELECT t::text FROM alerts.receivers t",
      "SELECT t::text FROM alerts.processing_rules t", "SELECT count(*)::text FROM alerts.notifications");
    StringBuilder all = new StringBuilder();
    try (Connection db = agent.jdbc(); Statement sql = db.createStatement()) {
      for (String query : queries) {
        all.append(query).append('\n');
        List<String> rows = new ArrayList<>();
        try (ResultSet result = sql.executeQuery(query)) {
          while (result.next()) {
            rows.add(result.getString(1));
          }
        }
        rows.stream().sorted().forEach(row -> all.append(row).append('\n'));
      }
    }
    return all.toString();
  }

  /** One request as it goes on the wire. */
  record FuzzRequest(HttpMethod method, String uri, String contentType, Buffer body, String what) {
    @Override
    public String toString() {
      String shown = body == null ? "" : body.length() > 300 ? body.getString(0, 300) + "..." : body.toString();
      return what + ": " + method + " " + uri + " " + shown;
    }
  }
}
