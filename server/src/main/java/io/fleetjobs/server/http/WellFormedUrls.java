package io.fleetjobs.server.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses, before routing, a request whose URL is not well formed: a '%' not followed by two hex digits, or
 * escapes that do not spell UTF-8 (which would otherwise decode to U+FFFD, so that two different URLs named
 * one object). The router would fail deep inside path normalization or query decoding, log a stack trace
 * for each such request, which anyone can send, and answer a plain-text 400 or a 500. Here it is a 400 in
 * the error envelope, before any token is looked at, and one short log line at most every 10 s.
 */
final class WellFormedUrls implements Handler<HttpServerRequest> {
  private static final Logger LOG = LoggerFactory.getLogger(WellFormedUrls.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final Handler<HttpServerRequest> next;
  private final AtomicLong refusedSinceLog = new AtomicLong();
  private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());

  WellFormedUrls(Handler<HttpServerRequest> next) {
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest request) {
    String pathProblem = problem(request.path());
    String queryProblem = pathProblem == null ? problem(request.query()) : null;
    if (pathProblem == null && queryProblem == null) {
      next.handle(request);
      return;
    }
    String target = pathProblem != null ? "path" : "query";
    String problem = pathProblem != null ? pathProblem : queryProblem;
    logNowAndThen(request, target, problem);
    ErrorResponses.render(request, 400, "InvalidUrl", "The URL's " + target + " " + problem + ".", target);
  }

  /** @return null when every escape is well formed and what they spell is UTF-8, otherwise what is wrong */
  static String problem(String raw) {
    if (raw == null || raw.indexOf('%') < 0) {
      return null;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c != '%') {
        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      } else if (i + 2 < raw.length() && hex(raw.charAt(i + 1)) >= 0 && hex(raw.charAt(i + 2)) >= 0) {
        bytes.write(hex(raw.charAt(i + 1)) * 16 + hex(raw.charAt(i + 2)));
        i += 2;
      } else {
        return "has a '%' at character " + (i + 1) + " that is not followed by two hex digits";
      }
    }
    try {
      StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes.toByteArray()));
      return null;
    } catch (CharacterCodingException e) {
      return "has percent escapes that are not UTF-8";
    }
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  private void logNowAndThen(HttpServerRequest request, String target, String problem) {
    long refused = refusedSinceLog.incrementAndGet();
    long now = System.nanoTime();
    long due = nextLogAt.get();
    if (now - due >= 0 && nextLogAt.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
      refusedSinceLog.addAndGet(-refused);
      LOG.info("Refused {} request(s) with a malformed URL since the last such line; the latest, from {}: its {} {}",
        refused, request.remoteAddress() == null ? "?" : request.remoteAddress().hostAddress(), target, problem);
    }
  }
}
