package io.fleetjobs.bench.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.util.List;

/**
 * A running agent's REST API on loopback, as a user's automation drives it, with the bench's admin token and
 * one credential for the target servers.
 */
public final class AgentApi implements AutoCloseable {
  public static final String TOKEN = "fjt_benchmark_admin_token_not_secret_0000";
  public static final String CREDENTIAL = "bench";
  private static final long POLL_MS = 200;
  private final WebClient http;
  private final int port;

  private AgentApi(WebClient http, int port) {
    this.http = http;
    this.port = port;
  }

  /** Connects to the agent on {@code port} and saves the credential the bench's jobs sign in with. */
  public static AgentApi connect(Vertx vertx, int port) {
    AgentApi api = new AgentApi(WebClient.create(vertx), port);
    api.put("/credentials/" + CREDENTIAL, new JsonObject().put("username", "postgres").put("password", "unused"));
    return api;
  }

  /** One SqlServer member per server name: each is expanded to its databases when a step starts. */
  public static JsonArray servers(List<String> serverNames) {
    JsonArray members = new JsonArray();
    serverNames.forEach(name -> members.add(new JsonObject().put("type", "SqlServer").put("serverName", name)
      .put("refreshCredential", CREDENTIAL)));
    return members;
  }

  /** One SqlDatabase member per database of one server. */
  public static JsonArray databases(String serverName, List<String> databases) {
    JsonArray members = new JsonArray();
    databases.forEach(database -> members.add(new JsonObject().put("type", "SqlDatabase").put("serverName", serverName)
      .put("databaseName", database)));
    return members;
  }

  /** A target group, and a job of one step that runs {@code script} over it once per target (no retries). */
  public void job(String name, JsonArray members, String script) {
    put("/targetGroups/" + name, new JsonObject().put("members", members));
    put("/jobs/" + name, new JsonObject());
    put("/jobs/" + name + "/steps/one", new JsonObject().put("targetGroup", name).put("credential", CREDENTIAL)
      .put("action", new JsonObject().put("value", script))
      .put("executionOptions", new JsonObject().put("retryAttempts", 0)));
  }

  /** @return the new execution's id */
  public String start(String job) {
    return post("/jobs/" + job + "/start", new JsonObject()).getString("jobExecutionId");
  }

  /** Polls seldom, so watching takes no CPU from the run; times come from the job database's records. */
  public String awaitEnd(String job, String executionId, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(POLL_MS);
      String lifecycle = get("/jobs/" + job + "/executions/" + executionId).getString("lifecycle");
      if (List.of("Succeeded", "Failed", "Canceled", "TimedOut", "SucceededWithSkipped").contains(lifecycle)) {
        return lifecycle;
      }
    }
    throw new IllegalStateException("Execution " + executionId + " of " + job + " did not end within " + patience);
  }

  public void put(String path, JsonObject body) {
    HttpResponse<Buffer> response = http.put(port, "127.0.0.1", "/api/v1" + path)
      .bearerTokenAuthentication(TOKEN).sendJsonObject(body).await();
    check("PUT", path, response);
  }

  public JsonObject post(String path, JsonObject body) {
    HttpResponse<Buffer> response = http.post(port, "127.0.0.1", "/api/v1" + path)
      .bearerTokenAuthentication(TOKEN).sendJsonObject(body).await();
    return check("POST", path, response).bodyAsJsonObject();
  }

  public JsonObject get(String path) {
    HttpResponse<Buffer> response = http.get(port, "127.0.0.1", "/api/v1" + path)
      .bearerTokenAuthentication(TOKEN).send().await();
    return check("GET", path, response).bodyAsJsonObject();
  }

  private static HttpResponse<Buffer> check(String method, String path, HttpResponse<Buffer> response) {
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": "
        + response.bodyAsString());
    }
    return response;
  }

  @Override
  public void close() {
    http.close();
  }
}
