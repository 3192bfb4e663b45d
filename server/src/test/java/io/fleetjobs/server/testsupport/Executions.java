package io.fleetjobs.server.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Starting jobs and waiting for their executions, through the public API. */
public final class Executions {
  private final Supplier<ApiClient> client;

  public Executions(ApiClient api) {
    this.client = () -> api;
  }

  /** Through the agent's admin client, which a per-class agent has only once its class has started. */
  public Executions(AgentFixture agent) {
    this.client = agent::admin;
  }

  /** @return the new execution's id */
  public String start(String job) {
    HttpResponse<Buffer> started = api().post("/jobs/" + job + "/start", new JsonObject());
    assertEquals(202, started.statusCode(), started.bodyAsString());
    return started.bodyAsJsonObject().getString("jobExecutionId");
  }

  public JsonObject get(String job, String id) {
    return api().get("/jobs/" + job + "/executions/" + id).bodyAsJsonObject();
  }

  public List<JsonObject> targets(String job, String id) {
    return objects(api().get("/jobs/" + job + "/executions/" + id + "/targets?$top=1000").bodyAsJsonObject()
      .getJsonArray("value"));
  }

  public List<JsonObject> steps(String job, String id) {
    return objects(api().get("/jobs/" + job + "/executions/" + id + "/steps").bodyAsJsonObject().getJsonArray("value"));
  }

  /** Polls until the execution is no longer active and returns it. */
  public JsonObject awaitEnd(String job, String id, Duration patience) {
    return awaitExecution(job, id, execution -> !execution.getBoolean("isActive"), patience);
  }

  public JsonObject awaitExecution(String job, String id, Predicate<JsonObject> condition, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    JsonObject execution = get(job, id);
    while (!condition.test(execution)) {
      if (System.nanoTime() > deadline) {
        fail("Gave up waiting on execution " + id + ": " + execution.encodePrettily() + "\ntargets: " + targets(job, id));
      }
      sleep(50);
      execution = get(job, id);
    }
    return execution;
  }

  /** Polls until some target of the execution matches. */
  public JsonObject awaitTarget(String job, String id, Predicate<JsonObject> condition, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonObject target : targets(job, id)) {
        if (condition.test(target)) {
          return target;
        }
      }
      sleep(50);
    }
    return fail("No target of " + id + " matched in time: " + targets(job, id));
  }

  /**
   * Asserts that each target row ended in {@code lifecycle} through the cancel the server acted on: well within the
   * executor's 15 s grace, after which an attempt is given up on whether or not its statement stopped.
   */
  public static void assertEndedByTheCancel(List<JsonObject> rows, String lifecycle) {
    rows.forEach(row -> {
      assertEquals(lifecycle, row.getString("lifecycle"), row.encode());
      Duration ran = Duration.between(Instant.parse(row.getString("currentAttemptStartTime")),
        Instant.parse(row.getString("endTime")));
      assertTrue(ran.compareTo(Duration.ofSeconds(6)) < 0,
        "ended by the cancel, not by the executor's grace period after it: " + ran + " " + row.encode());
    });
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private ApiClient api() {
    return client.get();
  }

  private static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }
}
