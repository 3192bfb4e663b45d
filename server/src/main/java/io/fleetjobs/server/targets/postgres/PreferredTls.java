package io.fleetjobs.server.targets.postgres;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.pgclient.PgConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * libpq's sslmode prefer, without vertx-pg-client 5.0.7's. For prefer that client first asks the server for TLS
 * on a connection; where the server says no, it opens a second connection in the clear and leaves the first one
 * open, the server's process waiting on it for a sign-in. The first closes with the session's client when the
 * session ends, but never when the sign-in on the second fails (a wrong password, a missing database): that
 * client is closed only once the garbage collector finds it, gracefully, over 30 s, and a verticle that opened
 * such sessions is undeployed only after that. A wrong password on a 100-database server left up to 160
 * connections open, and an agent's stop waited 28 s for them.
 *
 * <p>So prefer never reaches vertx-pg-client for a server that has no TLS. Each server is asked once, on a
 * connection of this class's own that it closes as soon as the one-byte answer arrives (the protocol's
 * SSLRequest, as libpq sends it first), and the answer is remembered for a while. Sessions then connect with
 * disable where TLS was refused, which asks nothing, and with prefer where it was offered, whose first connection
 * comes up on TLS. Sessions that start while a server is being asked wait for its answer. A session that fails
 * with what was learned, or that could not ask, forgets it, so a server that has since turned TLS on, or demands
 * it, is asked again. A server with TLS logs that the asking connection closed before its handshake, once per
 * answer.
 */
public final class PreferredTls {
  /** How long an answer is trusted: a server's TLS setting changes with a restart or reload, rarely. */
  private static final long REMEMBERED_NANOS = TimeUnit.MINUTES.toNanos(10);
  private static final int SSL_REQUEST_LENGTH = 8;
  private static final int SSL_REQUEST_CODE = 80877103;

  private record Answer(Future<Boolean> offered, long askedAt) {
    boolean current(long now) {
      return now - askedAt < REMEMBERED_NANOS;
    }
  }

  private final NetClient client;
  private final long timeoutMs;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();

  /**
   * @param client where the question is asked; its owner closes it
   * @param timeoutMs how long a server may take to connect and answer
   */
  public PreferredTls(NetClient client, long timeoutMs) {
    this.client = client;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Opens a prefer session to host:port through {@code open}, which connects in the sslmode given (disable or
   * prefer), on the caller's context. Fails without connecting when the server cannot be asked.
   */
  public Future<PgConnection> connect(String host, int port, Function<String, Future<PgConnection>> open) {
    String server = host + ":" + port;
    long now = System.nanoTime();
    Promise<Boolean> asking = Promise.promise();
    Answer mine = new Answer(asking.future(), now);
    Answer known = answers.compute(server, (key, old) -> old != null && old.current(now) ? old : mine);
    if (known == mine) {
      ask(host, port).onComplete(asking);
    }
    Context caller = Vertx.currentContext();
    return known.offered()
      .compose(offered -> onContext(caller, () -> open.apply(offered ? "prefer" : "disable")))
      .onFailure(e -> answers.remove(server, known));
  }

  /**
   * Whether the server offers TLS: 'S' or 'N' to an SSLRequest. The connection is closed once answered, before
   * any sign-in, so the server's process ends at once and nothing is left open for anyone to close later.
   */
  private Future<Boolean> ask(String host, int port) {
    Promise<Boolean> answered = Promise.promise();
    Future<NetSocket> connecting = client.connect(port, host);
    return connecting
      .compose(socket -> {
        socket.handler(reply -> answer(reply.getByte(0), answered));
        socket.closeHandler(gone -> answered.tryFail(new VertxException("The server closed the connection "
          + "instead of answering whether it offers TLS.", true)));
        return socket.write(Buffer.buffer(SSL_REQUEST_LENGTH)
          .appendInt(SSL_REQUEST_LENGTH)
          .appendInt(SSL_REQUEST_CODE));
      })
      .compose(written -> answered.future())
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      .andThen(done -> connecting.onSuccess(NetSocket::close));
  }

  private static void answer(byte reply, Promise<Boolean> answered) {
    switch (reply) {
      case 'S' -> answered.tryComplete(true);
      case 'N' -> answered.tryComplete(false);
      default -> answered.tryFail(new VertxException("The server answered whether it offers TLS with '"
        + (char) reply + "', not S or N: not a PostgreSQL server?", true));
    }
  }

  /**
   * Opens the session on the caller's context. The answer arrives on the context of the session that asked, and a
   * connection opened there would belong to it: its results would reach another executor's thread.
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
