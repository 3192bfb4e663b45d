package io.fleetjobs.server.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP receiver for webhook tests. Each path answers from its own script of replies (the last
 * one repeats), and every request is kept with its headers, raw body and arrival time.
 */
public final class WebhookReceiver extends HttpReceiver<WebhookReceiver.Received> {
  /** One scripted answer: a status, an optional Retry-After, and a delay before answering. */
  public record Reply(int status, String retryAfter, long delayMs) {
    public static Reply status(int status) {
      return new Reply(status, null, 0);
    }
  }

  /** A request as it arrived. */
  public record Received(String path, Map<String, String> headers, String body, long arrivedNanos)
    implements HttpReceiver.Arrival {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private final Vertx vertx;
  private final Map<String, Queue<Reply>> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> mostInFlight = new ConcurrentHashMap<>();

  private WebhookReceiver(Vertx vertx) {
    super(vertx);
    this.vertx = vertx;
  }

  public static WebhookReceiver start(Vertx vertx) {
    return listening(new WebhookReceiver(vertx));
  }

  public void script(String path, Reply... replies) {
    scripts.put(path, new ConcurrentLinkedQueue<>(List.of(replies)));
  }

  /** The most requests at {@code path} that had arrived and were not yet answered, at any one time. */
  public int mostInFlight(String path) {
    AtomicInteger most = mostInFlight.get(path);
    return most == null ? 0 : most.get();
  }

  @Override
  protected Received arrival(HttpServerRequest request, Buffer body) {
    Map<String, String> headers = new ConcurrentHashMap<>();
    request.headers().forEach(h -> headers.put(h.getKey().toLowerCase(), h.getValue()));
    return new Received(request.path(), headers, body.toString(), System.nanoTime());
  }

  @Override
  protected void answer(HttpServerRequest request, Received arrival) {
    Queue<Reply> script = scripts.get(request.path());
    Reply reply = script == null ? Reply.status(200) : script.size() > 1 ? script.poll() : script.peek();
    AtomicInteger open = inFlight.computeIfAbsent(request.path(), path -> new AtomicInteger());
    int now = open.incrementAndGet();
    mostInFlight.computeIfAbsent(request.path(), path -> new AtomicInteger()).accumulateAndGet(now, Math::max);
    Runnable answer = () -> {
      open.decrementAndGet();
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
  }
}
