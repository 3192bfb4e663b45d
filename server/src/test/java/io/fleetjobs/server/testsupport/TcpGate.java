package io.fleetjobs.server.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP front for a real server, on loopback: while closed it hangs up on every connection at once (as a server
 * that is down, or restarting, does); while silent it accepts and never answers; while open it forwards both
 * ways. Lets a test make a real PostgreSQL unreachable and bring it back without restarting it.
 */
public final class TcpGate implements AutoCloseable {
  public enum State { CLOSED, SILENT, OPEN }

  private final NetServer server;
  private final NetClient client;
  private volatile State state;
  private final AtomicInteger accepted = new AtomicInteger();

  private TcpGate(NetServer server, NetClient client, State state) {
    this.server = server;
    this.client = client;
    this.state = state;
  }

  /** A gate in front of 127.0.0.1:{@code backendPort}, starting in {@code state}. */
  public static TcpGate start(Vertx vertx, int backendPort, State state) {
    NetClient client = vertx.createNetClient();
    TcpGate[] gate = new TcpGate[1];
    NetServer server = vertx.createNetServer().connectHandler(socket -> gate[0].accept(socket, backendPort));
    gate[0] = new TcpGate(server, client, state);
    server.listen(0, "127.0.0.1").await();
    return gate[0];
  }

  private void accept(NetSocket socket, int backendPort) {
    accepted.incrementAndGet();
    switch (state) {
      case CLOSED -> socket.close();
      case SILENT -> socket.pause();
      case OPEN -> {
        socket.pause();
        client.connect(backendPort, "127.0.0.1").onComplete(connected -> {
          if (connected.failed()) {
            socket.close();
            return;
          }
          NetSocket backend = connected.result();
          socket.handler(backend::write).closeHandler(closed -> backend.close());
          backend.handler(socket::write).closeHandler(closed -> socket.close());
          socket.resume();
        });
      }
      default -> throw new IllegalStateException(state.name());
    }
  }

  /** How many connections the gate has accepted, whatever its state. */
  public int accepted() {
    return accepted.get();
  }

  public void set(State newState) {
    state = newState;
  }

  /** host:port as a target group member names it. */
  public String serverName() {
    return "127.0.0.1:" + server.actualPort();
  }

  @Override
  public void close() {
    server.close().await();
    client.close().await();
  }
}
