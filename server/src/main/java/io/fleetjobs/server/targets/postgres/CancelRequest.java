package io.fleetjobs.server.targets.postgres;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL's cancel request (the protocol's "Canceling Requests in Progress"), sent as psql sends it on Ctrl-C
 * (libpq's PQcancel): a connection of its own to the server, in the clear whatever the session's sslmode, one
 * 16-byte packet naming the session's process and secret key, and the server closing the connection once it has
 * acted on it. The server reads the packet before pg_hba.conf, so rules that demand TLS (hostssl, rds.force_ssl)
 * do not refuse it. Only the process id and the key travel, no credential.
 *
 * <p>Not {@code PgConnection.cancelRequest()}: vertx-pg-client 5.0.7 connects for the cancel on the session's
 * context with the session's sslmode. For every mode but disable and allow it first writes an SSLRequest, from its
 * {@code InitiateSslHandler}, when the channel becomes active. On a worker context, where our target executors run,
 * the connect completes only after that event has passed, so the SSLRequest is never written; the cancel waits until
 * its socket closes, prefer's plain retry then finds the session's client closed ("Client is closed"), and the
 * statement keeps running. Nor over TLS from here: Vert.x 5.0.7 upgrades a socket to TLS only from its event loop
 * ({@code NetSocket.upgradeToSsl} on a worker thread fails an assertion), and the executors' context is a worker's.
 */
public final class CancelRequest {
  private static final int LENGTH = 16;
  private static final int CANCEL_REQUEST_CODE = 80877102;

  private CancelRequest() {
  }

  /**
   * Asks the server to cancel what the session runs now. Succeeds once the server has closed the connection, as
   * libpq waits for it to, so a statement sent after it is not the one cancelled.
   */
  public static Future<Void> send(NetClient client, String host, int port, int processId, int secretKey,
                                  long timeoutMs) {
    Promise<Void> closed = Promise.promise();
    Future<NetSocket> connecting = client.connect(port, host);
    return connecting
      .compose(socket -> {
        socket.closeHandler(gone -> closed.tryComplete());
        return socket.write(Buffer.buffer(LENGTH)
          .appendInt(LENGTH)
          .appendInt(CANCEL_REQUEST_CODE)
          .appendInt(processId)
          .appendInt(secretKey));
      })
      .compose(written -> closed.future())
      .timeout(timeoutMs, TimeUnit.MILLISECONDS)
      // Already closed by the server when it answered; closed here when it did not answer in time.
      .andThen(done -> connecting.onSuccess(NetSocket::close));
  }
}
