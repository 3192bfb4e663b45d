package io.fleetjobs.server.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A real HTTP server on a free port of 127.0.0.1 that keeps every request it answers, for the receivers the tests
 * send to. A subclass says what to keep of a request and how to answer it; the waiting and the looking up by
 * path are here.
 *
 * @param <R> what is kept of a request
 */
public abstract class HttpReceiver<R extends HttpReceiver.Arrival> implements AutoCloseable {
  /** What is kept of a request: at least where it arrived. */
  public interface Arrival {
    String path();
  }

  private final HttpServer server;
  private final List<R> received = new CopyOnWriteArrayList<>();

  protected HttpReceiver(Vertx vertx) {
    server = vertx.createHttpServer()
      .requestHandler(request -> request.body().onSuccess(body -> {
        R arrival = arrival(request, body);
        received.add(arrival);
        answer(request, arrival);
      }));
  }

  /** What to keep of a request. */
  protected abstract R arrival(HttpServerRequest request, Buffer body);

  /** Answers a request once it is kept (now or later). */
  protected abstract void answer(HttpServerRequest request, R arrival);

  /** Starts listening, for the subclass's factory. */
  protected static <T extends HttpReceiver<?>> T listening(T receiver) {
    HttpReceiver<?> started = receiver;
    started.server.listen(0, "127.0.0.1").await();
    return receiver;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public List<R> at(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** Waits until the requests at {@code path} satisfy the condition, and returns them. */
  public List<R> await(String path, Predicate<List<R>> condition, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      List<R> now = at(path);
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
