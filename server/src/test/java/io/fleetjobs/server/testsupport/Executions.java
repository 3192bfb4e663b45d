package io.fleetjobs.server.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

  /** How long a finished target row's attempt took, from its start to its end. */
  public static Duration attemptTime(JsonObject target) {
    return Duration.between(Instant.parse(target.getString("currentAttemptStartTime")),
      Instant.parse(target.getString("endTime")));
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
