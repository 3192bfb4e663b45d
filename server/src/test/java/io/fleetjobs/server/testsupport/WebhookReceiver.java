package io.fleetjobs.server.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A real HTTP receiver for webhook tests. Each path answers from its own script of replies (the last
 * one repeats), and every request is kept with its headers, raw body and arrival time.
 */
public final class WebhookReceiver implements AutoCloseable {
  /** One scripted answer: a status, an optional Retry-After, and a delay before answering. */
  public record Reply(int status, String retryAfter, long delayMs) {
    public static Reply status(int status) {
      return new Reply(status, null, 0);
    }
  }

  /** A request as it arrived. */
  public record Received(String path, Map<String, String> headers, String body, long arrivedNanos) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final Map<String, Queue<Reply>> scripts = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  private WebhookReceiver(Vertx vertx) {
    this.vertx = vertx;
    this.server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      Map<String, String> headers = new ConcurrentHashMap<>();
      request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
      received.add(new Received(request.path(), headers, body.toString(), System.nanoTime()));
      Queue<Reply> script = scripts.get(request.path());
      Reply reply = script == null ? Reply.status(200) : script.size() > 1 ? script.poll() : script.peek();
      Runnable answer = () -> {
        var response = request.response().setStatusCode(reply.status());
        if (reply.retryAfter() != null) {
          response.putHeader("Retry-After", reply.retryAfter());
        }
        response.end("answered " + reply.status());
      };
      if (reply.delayMs() > 0) {
        vertx.setTimer(reply.delayMs(), id -> answer.run());
      } else {
        answer.run();
      }
    }));
  }

  public static WebhookReceiver start(Vertx vertx) {
    WebhookReceiver receiver = new WebhookReceiver(vertx);
    receiver.server.listen(0, "127.0.0.1").await();
    return receiver;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public void script(String path, Reply... replies) {
    scripts.put(path, new ConcurrentLinkedQueue<>(List.of(replies)));
  }

  public List<Received> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Waits until the requests at {@code path} satisfy the condition, and returns them. */
  public List<Received> await(String path, Predicate<List<Received>> condition, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      List<Received> now = at(path);
      if (condition.test(now)) {
        return now;
      }
      Executions.sleep(50);
    }
    throw new AssertionError("Timed out waiting at " + path + "; received " + at(path));
  }

  @Override
  public void close() {
    server.close().await();
  }
}
