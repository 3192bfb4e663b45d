package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Contract;
import io.fleetjobs.server.testsupport.RawRequests;
import io.fleetjobs.server.testsupport.RawRequests.Answer;
import io.fleetjobs.server.tokens.Role;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every operation of the contract, called with no token, a bad token and a token of each role: the contract's
 * x-fleetjobs-role alone decides who gets past 401 and 403, and no other spelling of the path (a trailing slash,
 * a percent-encoded letter, a dot segment) changes that for a caller who may not.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RoleMatrixTest {
  private static final String NAME = "role-matrix";
  private static final List<Role> ROLES = List.of(Role.READER, Role.OPERATOR, Role.ADMIN);
  /** The same request spelled otherwise; each must be judged exactly as the plain one. */
  private static final Map<String, UnaryOperator<String>> SPELLINGS = spellings();

  private static AgentFixture agent;
  private static Contract contract;
  private static RawRequests http;
  private static final Map<Role, String> tokens = new LinkedHashMap<>();

  @BeforeAll
  static void start(Vertx vertx) {
    agent = AgentFixture.start(vertx, "role_matrix");
    contract = Contract.load(vertx);
    http = new RawRequests(vertx, agent.port());
    for (Role role : ROLES) {
      tokens.put(role, role == Role.ADMIN ? AgentFixture.ADMIN_TOKEN : agent.as(role.wireName()).token());
    }
  }

  @AfterAll
  static void stop() {
    http.close();
    agent.close();
  }

  @Test
  void every_operation_answers_each_caller_as_its_role_says() {
    List<Contract.Operation> operations = contract.operations();
    assertTrue(operations.size() > 60, "the contract's operations: " + operations.size());
    List<String> failures = new ArrayList<>();
    for (Contract.Operation operation : operations) {
      String path = "/api/v1" + operation.path()
        .replace("{id}", UUID.randomUUID().toString())
        .replace("{version}", "1")
        .replaceAll("\\{[A-Za-z]+}", NAME);
      for (Map.Entry<String, UnaryOperator<String>> spelling : SPELLINGS.entrySet()) {
        String uri = spelling.getValue().apply(path);
        boolean plain = spelling.getKey().equals("plain");
        check(failures, operation, spelling.getKey(), uri, null, operation.role() == Role.PUBLIC ? 0 : 401);
        if (plain) {
          check(failures, operation, "plain", uri, "fjt_not_a_token", operation.role() == Role.PUBLIC ? 0 : 401);
        }
        for (Role role : ROLES) {
          boolean allowed = role.covers(operation.role());
          // Other spellings only matter where they could let a caller in: the role just below the one needed.
          if (plain || !allowed && role.ordinal() == operation.role().ordinal() - 1) {
            check(failures, operation, spelling.getKey() + " as " + role.wireName(), uri, tokens.get(role),
              allowed ? 0 : 403);
          }
        }
      }
    }
    assertEquals(List.of(), failures);
  }

  /** @param expected 401 or 403, or 0 for "let in": neither of those, and no server error */
  private static void check(List<String> failures, Contract.Operation operation, String caller, String uri,
                            String token, int expected) {
    Buffer body = operation.method() == HttpMethod.PUT || operation.method() == HttpMethod.POST
      ? new JsonObject().toBuffer() : null;
    Answer answer = http.send(operation.method(), uri, token, body == null ? null : "application/json", body);
    boolean ok = expected == 0
      ? answer.status() != 401 && answer.status() != 403 && answer.status() < 500
      : answer.status() == expected;
    if (!ok) {
      failures.add(operation + " " + caller + " " + uri + ": wanted " + (expected == 0 ? "in" : expected)
        + ", got " + answer.status() + " " + answer.body());
    }
  }

  private static Map<String, UnaryOperator<String>> spellings() {
    Map<String, UnaryOperator<String>> spellings = new LinkedHashMap<>();
    spellings.put("plain", path -> path);
    spellings.put("trailing slash", path -> path + "/");
    spellings.put("dot segment and percent-encoded letter", path -> {
      int first = "/api/v1/".length();
      return "/api/v1/nothing/../" + String.format("%%%02X", (int) path.charAt(first)) + path.substring(first + 1);
    });
    return spellings;
  }
}
