package io.fleetjobs.server.targets.postgres;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.PgException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * libpq's sslmodes, without the SSLRequest of vertx-pg-client 5.0.7 to a server that has no TLS. That client asks
 * for TLS on a new connection, and where the server says no it leaves that connection open, the server's process
 * waiting on it for a sign-in: for prefer and allow it goes on with a second connection and closes the first only
 * when the session ends, and never when the sign-in fails (a wrong password, a missing database); for require,
 * verify-ca and verify-full it fails and never closes it. With a client per connection, as PgConnection.connect
 * made them, such a connection lived until the garbage collector found its client and Vert.x closed it over 30 s:
 * a wrong password on a 100-database server left up to 160 connections open, and an agent's stop waited 28 s for
 * them. On the driver's one client (see ReactiveSessions#client) nothing would close it before the server's
 * authentication_timeout (a minute), each one holding a server process and a connection slot.
 *
 * <p>So each server is asked once, on a connection of this class's own that it closes as soon as the one-byte
 * answer arrives (the protocol's SSLRequest, as libpq sends it first), and the answer is remembered for a while.
 * Where TLS was refused, prefer and allow connect with disable, which asks nothing, and the modes that need TLS
 * fail without connecting; where it was offered, every mode connects as it is, and its first connection comes up
 * on TLS. Sessions that start while a server is being asked wait for its answer. A session that could not ask, or
 * that fails otherwise than by a refused sign-in (see saysNothingOfTls), forgets the answer, so a server that has
 * since turned TLS on, or demands it, is asked again; so does a prefer session that came up in the clear where TLS
 * was offered (see tookTlsRefusal), so a server that has turned TLS off is asked again too. A server with TLS logs
 * that the asking connection closed before its handshake, once per answer.
 */
public final class TlsNegotiation {
  /** How long an answer is trusted: a server's TLS setting changes with a restart or reload, rarely. */
  private static final long REMEMBERED_NANOS = TimeUnit.MINUTES.toNanos(10);
  private static final int SSL_REQUEST_LENGTH = 8;
  private static final int SSL_REQUEST_CODE = 80877103;
  /** invalid_password and invalid_catalog_name. */
  private static final Set<String> SIGN_IN_REFUSALS = Set.of("28P01", "3D000");

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
  public TlsNegotiation(NetClient client, long timeoutMs) {
    this.client = client;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Opens a session to host:port in sslmode {@code mode} (not disable, which needs no answer) through {@code open},
   * which connects in the sslmode given, on the caller's context. Fails without connecting when the server cannot
   * be asked, or has no TLS and the mode needs it.
   */
  public Future<PgConnection> connect(String host, int port, String mode,
                                      Function<String, Future<PgConnection>> open) {
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
      .compose(offered -> sessionMode(mode, offered))
      .compose(sessionMode -> onContext(caller, () -> open.apply(sessionMode)))
      .andThen(session -> {
        if (outOfDate(mode, known, session)) {
          answers.remove(server, known);
        }
      });
  }

  /** Whether the session's outcome says the answer may no longer hold, so the next session asks again. */
  private static boolean outOfDate(String mode, Answer known, AsyncResult<PgConnection> session) {
    return session.failed() ? !saysNothingOfTls(session.cause()) : tookTlsRefusal(mode, known, session.result());
  }

  /**
   * A prefer session that came up in the clear on a server said to offer TLS: the server has turned TLS off since
   * it was asked (or its handshake fails), and vertx-pg-client's own SSLRequest, refused, left a connection waiting
   * for a sign-in until the server's authentication_timeout. Forgetting the answer makes the next session ask
   * again and connect without TLS, so only the sessions already on their way leave one each, not every session
   * for the rest of the answer's ten minutes. On a server whose handshake always fails, each prefer session then
   * asks again: one more short connection, closed at once, rather than one left open. (allow starts in the clear by
   * design and says nothing of this.)
   */
  private static boolean tookTlsRefusal(String mode, Answer known, PgConnection connection) {
    return mode.equals("prefer") && Boolean.TRUE.equals(known.offered().result()) && !connection.isSSL();
  }

  /**
   * A wrong password or a missing database came from a server that was reached as its answer said: asking it again
   * would learn nothing, and a wrong password on 2,000 databases would ask 2,000 times. Any other failure (a server
   * that now demands TLS refuses with 28000, a handshake that fails, a server that went away) may mean the answer
   * is out of date.
   */
  private static boolean saysNothingOfTls(Throwable failure) {
    return failure instanceof PgException refused && SIGN_IN_REFUSALS.contains(refused.getSqlState());
  }

  /** The mode to connect with, now that whether the server offers TLS is known. */
  private static Future<String> sessionMode(String mode, boolean offered) {
    if (offered) {
      return Future.succeededFuture(mode);
    }
    return switch (mode) {
      case "prefer", "allow" -> Future.succeededFuture("disable");
      default -> Future.failedFuture(new VertxException("The server does not offer TLS", true));
    };
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
