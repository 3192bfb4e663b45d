package io.fleetjobs.server.targets.postgres;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * libpq's sslmode prefer, without vertx-pg-client 5.0.7's second connection. For prefer the client first asks the
 * server for TLS. Where the server says no, libpq goes on in the clear on the same connection; vertx-pg-client
 * opens a second one and leaves the first open until the session ends, so the server holds two processes for
 * every session (a fleet's wave of 100 sessions, 200 processes).
 *
 * <p>So prefer is settled once per server: its first session asks, and the answer (whether that session came up
 * on TLS) is remembered for a while. Later sessions connect with disable where TLS was refused, which asks nothing,
 * and with prefer where it was offered, which costs nothing more. Sessions that start while the first is still
 * connecting wait for its answer, so a fleet's first wave does not open two connections each. A session that fails
 * with what was learned forgets it, so a server that has since turned TLS on, or demands it, is asked again.
 */
public final class PreferredTls {
  /** How long an answer is trusted: a server's TLS setting changes with a restart or reload, rarely. */
  private static final long REMEMBERED_NANOS = TimeUnit.MINUTES.toNanos(10);

  private record Answer(Future<Boolean> offered, long askedAt) {
    boolean current(long now) {
      return now - askedAt < REMEMBERED_NANOS;
    }
  }

  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  /**
   * Opens a prefer session to {@code server} (host:port) through {@code open}, which connects in the sslmode given.
   */
  public Future<PgConnection> connect(String server, Function<String, Future<PgConnection>> open) {
    long now = System.nanoTime();
    Promise<Boolean> asking = Promise.promise();
    Answer mine = new Answer(asking.future(), now);
    Answer known = answers.compute(server, (key, old) -> old != null && old.current(now) ? old : mine);
    if (known != mine) {
      // The first session's answer; if it failed (a server down, a wrong password), this one asks for itself.
      Context caller = Vertx.currentContext();
      return known.offered().transform(answer -> onContext(caller, () -> answer.succeeded()
        ? open.apply(answer.result() ? "prefer" : "disable").onFailure(e -> answers.remove(server, known))
        : open.apply("prefer")));
    }
    Future<PgConnection> first = open.apply("prefer");
    first.onComplete(opened -> {
      if (opened.succeeded()) {
        asking.complete(opened.result().isSSL());
      } else {
        answers.remove(server, mine);
        asking.fail(opened.cause());
      }
    });
    return first;
  }

  /**
   * Opens the session on the caller's context. The first session's answer arrives on that session's context, and
   * a connection opened there would belong to it: its results would reach another executor's thread.
   */
  private static Future<PgConnection> onContext(Context caller, Supplier<Future<PgConnection>> opening) {
    if (caller == null || caller == Vertx.currentContext()) {
      return opening.get();
    }
    Promise<PgConnection> opened = Promise.promise();
    caller.runOnContext(now -> opening.get().onComplete(opened));
    return opened.future();
  }
}
