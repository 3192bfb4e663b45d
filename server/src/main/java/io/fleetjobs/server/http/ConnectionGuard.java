package io.fleetjobs.server.http;

import io.fleetjobs.server.config.AgentConfig;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Bounds what one client can hold of the HTTP server: how many connections one address keeps open, how long a
 * connection may take to deliver a request's head (from its opening or from its previous response), and how
 * long the body may take after the head. A client that sends a byte now and then defeats an idle timeout but
 * not these deadlines. Deadlines are checked by one sweep a few times per second rather than by a timer per
 * connection, and read only what Vert.x exposes (a request arrived, it ended, its response ended), so no
 * handler of the request or its response is taken away from the router. Confined to the server's event loop.
 */
final class ConnectionGuard implements Handler<HttpConnection> {
  private final Vertx vertx;
  private final AgentConfig.HttpLimits limits;
  private final Map<String, Integer> perClient = new HashMap<>();
  private final Map<HttpConnection, Watch> watched = new IdentityHashMap<>();
  private final long sweeper;

  /** One connection: when it opened or went quiet, and the request it is on. */
  private static final class Watch {
    long waitingSince;
    HttpServerRequest request;
  }

  ConnectionGuard(Vertx vertx, AgentConfig.HttpLimits limits) {
    this.vertx = vertx;
    this.limits = limits;
    long period = Math.max(100, Math.min(1000, TimeUnit.SECONDS.toMillis(
      Math.min(limits.headerTimeoutSeconds(), limits.bodyTimeoutSeconds())) / 4));
    sweeper = vertx.setPeriodic(period, id -> sweep());
  }

  @Override
  public void handle(HttpConnection connection) {
    String client = connection.remoteAddress() == null ? "" : connection.remoteAddress().hostAddress();
    int open = perClient.merge(client, 1, Integer::sum);
    connection.closeHandler(closed -> {
      watched.remove(connection);
      perClient.computeIfPresent(client, (address, count) -> count == 1 ? null : count - 1);
    });
    if (limits.maxConnectionsPerClient() > 0 && open > limits.maxConnectionsPerClient()) {
      connection.close();
      return;
    }
    Watch watch = new Watch();
    watch.waitingSince = System.nanoTime();
    watched.put(connection, watch);
  }

  /** Notes each request's arrival, then hands it on. */
  Handler<HttpServerRequest> watching(Handler<HttpServerRequest> next) {
    return request -> {
      Watch watch = watched.get(request.connection());
      if (watch != null) {
        watch.request = request;
        watch.waitingSince = System.nanoTime();
      }
      next.handle(request);
    };
  }

  private void sweep() {
    long now = System.nanoTime();
    long header = TimeUnit.SECONDS.toNanos(limits.headerTimeoutSeconds());
    long body = TimeUnit.SECONDS.toNanos(limits.bodyTimeoutSeconds());
    List<HttpConnection> late = new ArrayList<>();
    watched.forEach((connection, watch) -> {
      HttpServerRequest request = watch.request;
      if (request == null && now - watch.waitingSince > header
        || request != null && !request.isEnded() && now - watch.waitingSince > body) {
        late.add(connection);
      } else if (request != null && request.isEnded() && request.response().ended()) {
        // Answered: from now on the connection waits for the head of its next request.
        watch.request = null;
        watch.waitingSince = now;
      }
    });
    // Closing may run the close handler at once, which edits the map: not while iterating it.
    late.forEach(HttpConnection::close);
  }

  void close() {
    vertx.cancelTimer(sweeper);
  }
}
