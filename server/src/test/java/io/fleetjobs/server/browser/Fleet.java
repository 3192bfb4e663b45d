package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Real target databases for one test class, on the tests' PostgreSQL server, and the API calls that set up
 * what a scenario does not make through the forms.
 */
final class Fleet {
  /** The tests' server trusts local connections, so the password is not checked; it is still sealed and stored. */
  static final String USERNAME = "postgres";
  static final String PASSWORD = "not-a-secret";

  private final ApiClient admin;

  Fleet(ApiClient admin) {
    this.admin = admin;
  }

  static String serverName() {
    return "localhost:" + TestPostgres.server().getPort();
  }

  /** Creates a database of the class's own and returns its name. */
  static String database(String purpose) {
    return TestPostgres.newDatabase(purpose);
  }

  /** "server/database", as an execution's target row names it. */
  static String targetKey(String database) {
    return serverName() + "/" + database;
  }

  static void execute(String database, String sql) {
    try (Connection connection = TestPostgres.connect(database, "postgres");
         Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Issues a token of the role and returns its secret. */
  String token(String role) {
    return ok(admin.post("/tokens", new JsonObject().put("name", role + "-" + System.nanoTime()).put("role", role)))
      .bodyAsJsonObject()
      .getString("token");
  }

  void credential(String name) {
    ok(admin.put("/credentials/" + name, new JsonObject().put("username", USERNAME).put("password", PASSWORD)));
  }

  void group(String name, String... databases) {
    JsonArray members = new JsonArray();
    for (String database : databases) {
      members.add(new JsonObject().put("type", "SqlDatabase").put("serverName", serverName())
        .put("databaseName", database));
    }
    ok(admin.put("/targetGroups/" + name, new JsonObject().put("members", members)));
  }

  /** A job of one step that runs the script once per target, without retries. */
  void job(String name, String group, String credential, String script) {
    ok(admin.put("/jobs/" + name, new JsonObject().put("description", "Made by the browser tests")));
    ok(admin.put("/jobs/" + name + "/steps/run", new JsonObject()
      .put("targetGroup", group)
      .put("credential", credential)
      .put("action", new JsonObject().put("value", script))
      .put("executionOptions", new JsonObject().put("retryAttempts", 0))));
  }

  static HttpResponse<Buffer> ok(HttpResponse<Buffer> response) {
    assertTrue(response.statusCode() < 300, response.statusCode() + " " + response.bodyAsString());
    return response;
  }

  /** Every main page, route to data-page, showing this job, execution and target group. */
  static Map<String, String> mainPages(String job, String executionId, String group) {
    Map<String, String> pages = new LinkedHashMap<>();
    pages.put("/", "overview");
    pages.put("/jobs", "jobs");
    pages.put("/jobs/" + job, "job");
    pages.put("/executions", "executions");
    pages.put("/executions/" + executionId, "execution");
    pages.put("/targetGroups", "target-groups");
    pages.put("/targetGroups/" + group, "target-group");
    pages.put("/credentials", "credentials");
    pages.put("/alerts", "alerts");
    pages.put("/settings", "settings");
    return pages;
  }
}
