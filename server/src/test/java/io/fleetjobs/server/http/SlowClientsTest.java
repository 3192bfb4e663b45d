package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow clients are cut off: a connection that never completes its request's head or body is closed once its
 * deadline passes, one address holds at most its cap of connections, and a refused caller is disconnected
 * right after its 401. Meanwhile the agent stays responsive.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class SlowClientsTest {
  private static final int DEADLINE_SECONDS = 4;
  private static final int CAP = 40;
  private static AgentFixture agent;

  @BeforeAll
  static void start(Vertx vertx) {
    agent = AgentFixture.start(vertx, "slow_clients", new JsonObject()
      .put("httpHeaderTimeoutSeconds", DEADLINE_SECONDS)
      .put("httpBodyTimeoutSeconds", DEADLINE_SECONDS)
      .put("httpMaxConnectionsPerClient", CAP));
  }

  @AfterAll
  static void stop() {
    agent.close();
  }

  @Test
  void connections_that_never_finish_a_request_are_closed_and_health_stays_fast() throws Exception {
    List<Raw> slow = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      slow.add(Raw.open(agent.port(), "GET /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\n"));
    }
    Raw trickle = Raw.open(agent.port(), "GET /health/live HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
    Raw slowBody = Raw.open(agent.port(), "PUT /api/v1/jobs/slow HTTP/1.1\r\nHost: localhost\r\n"
      + "Authorization: Bearer " + AgentFixture.ADMIN_TOKEN + "\r\nContent-Type: application/json\r\n"
      + "Content-Length: 100\r\n\r\n{\"descr");
    slow.add(trickle);
    slow.add(slowBody);

    long started = System.nanoTime();
    // A byte every 250 ms keeps an idle timeout from firing, but not the deadline of the head.
    while (seconds(started) < DEADLINE_SECONDS + 6 && slow.stream().anyMatch(Raw::open)) {
      long probe = System.nanoTime();
      assertEquals(200, agent.anonymous().raw(HttpMethod.GET, "/health/ready", null).statusCode());
      assertTrue(seconds(probe) < 2, "/health/ready took " + seconds(probe) + " s");
      trickle.send("a");
      slow.forEach(connection -> connection.poll(50));
      Thread.sleep(250);
    }
    List<Integer> stillOpen = new ArrayList<>();
    for (int i = 0; i < slow.size(); i++) {
      if (slow.get(i).open()) {
        stillOpen.add(i);
      }
    }
    assertEquals(List.of(), stillOpen, "connections still open after " + seconds(started) + " s");
    assertEquals(404, agent.admin().get("/jobs/slow").statusCode(), "the unfinished body saved nothing");
    slow.forEach(Raw::close);
  }

  @Test
  void a_refused_caller_is_disconnected_right_after_its_401() {
    String request = "GET /api/v1/jobs HTTP/1.1\r\nHost: localhost\r\n\r\n";
    try (Raw raw = Raw.open(agent.port(), request)) {
      String first = raw.readResponse(DEADLINE_SECONDS * 3000);
      assertTrue(first.startsWith("HTTP/1.1 401"), first);
      assertTrue(first.toLowerCase().contains("connection: close"), first);
      // A kept connection would answer a second request; this one is gone.
      raw.send(request);
      String second = raw.readUntilClosed(DEADLINE_SECONDS * 3000);
      assertEquals(-1, second.indexOf("HTTP/1.1"), "answered again: " + second);
      assertTrue(!raw.open() || second.contains("Exception"), second);
    }
  }

  @Test
  void one_address_holds_at_most_its_cap_of_connections() throws Exception {
    List<Raw> many = new ArrayList<>();
    for (int i = 0; i < CAP + 10; i++) {
      many.add(Raw.open(agent.port(), ""));
    }
    long started = System.nanoTime();
    int closed = 0;
    while (closed < 10 && seconds(started) < DEADLINE_SECONDS - 1) {
      many.forEach(connection -> connection.poll(20));
      closed = (int) many.stream().filter(connection -> !connection.open()).count();
      Thread.sleep(100);
    }
    assertTrue(closed >= 10, "over the cap, at once: only " + closed + " of " + many.size() + " closed");
    assertTrue(closed < many.size(), "all closed: the cap closed connections it should have kept");
    many.forEach(Raw::close);
    Thread.sleep(200);
    assertEquals(200, agent.anonymous().raw(HttpMethod.GET, "/health/live", null).statusCode());
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /** A raw TCP connection that writes what it is told and notices when the server closes it. */
  private static final class Raw implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private boolean open = true;

    private Raw(Socket socket) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
    }

    static Raw open(int port, String head) {
      try {
        Raw raw = new Raw(new Socket("127.0.0.1", port));
        raw.send(head);
        return raw;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void send(String text) {
      if (!open || text.isEmpty()) {
        return;
      }
      try {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
      } catch (IOException e) {
        open = false;
      }
    }

    /** Reads what has arrived for up to {@code millis}; end of stream or a reset means closed. */
    void poll(int millis) {
      if (!open) {
        return;
      }
      try {
        socket.setSoTimeout(millis);
        byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0) {
          // Discard what the server answered; only the closing matters.
        }
        open = false;
      } catch (SocketTimeoutException e) {
        // Still open.
      } catch (SocketException e) {
        open = false;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** One response whose body has a Content-Length, read to its last byte. */
    String readResponse(int millis) {
      StringBuilder text = new StringBuilder();
      try {
        socket.setSoTimeout(millis);
        while (true) {
          int end = text.indexOf("\r\n\r\n");
          if (end >= 0) {
            String head = text.substring(0, end).toLowerCase();
            int at = head.indexOf("content-length:");
            int length = Integer.parseInt(head.substring(at + 15).split("\r\n")[0].trim());
            if (text.length() >= end + 4 + length) {
              return text.toString();
            }
          }
          int read = in.read();
          if (read < 0) {
            open = false;
            return text.toString();
          }
          text.append((char) read);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    String readUntilClosed(int millis) {
      StringBuilder text = new StringBuilder();
      try {
        socket.setSoTimeout(millis);
        byte[] buffer = new byte[4096];
        int read;
        while ((read = in.read(buffer)) >= 0) {
          text.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
        }
        open = false;
      } catch (SocketTimeoutException e) {
        text.append("\n[still open after ").append(millis).append(" ms]");
      } catch (IOException e) {
        text.append("\n[").append(e).append(']');
      }
      return text.toString();
    }

    boolean open() {
      return open;
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // Closing a closed socket tells nothing.
      }
    }
  }
}
