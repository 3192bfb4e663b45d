package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.store.ClaimedNotification;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;

/**
 * Posts a stored body to a webhook receiver, signed per Standard Webhooks. The host is resolved and
 * checked by the SSRF guard on every attempt, and the connection goes to the address that was checked,
 * so a DNS answer that changes between the check and the connect cannot reach an internal address.
 */
public final class WebhookNotifier {
  private static final int MAX_ERROR_BODY = 300;
  private final Vertx vertx;
  private final WebClient client;
  private final SsrfGuard guard;
  private final Duration timeout;
  private final Clock clock;

  public WebhookNotifier(Vertx vertx, SsrfGuard guard, Duration timeout, Clock clock) {
    this.vertx = vertx;
    this.guard = guard;
    this.timeout = timeout;
    this.clock = clock;
    // As many connections per receiver as it may have attempts in flight: with the client's default of 5, the
    // other attempts waited in the client's queue, their time and their timeout running.
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setFollowRedirects(false)
        .setUserAgent("fleetjobs-alerts")
        .setConnectTimeout((int) timeout.toMillis()),
      new PoolOptions().setHttp1MaxSize(NotificationDeliveryVerticle.PER_ADDRESS_IN_FLIGHT));
  }

  public Future<AttemptResult> send(ClaimedNotification notification, String secret) {
    return send(URI.create(notification.address()), notification, secret);
  }

  /**
   * Posts to a Slack or Teams incoming webhook: the URL is the receiver's secret, opened for this attempt, and
   * the body is the chat's own format, sent unsigned (those services authenticate by the URL alone).
   */
  public Future<AttemptResult> sendTo(String url, ClaimedNotification notification) {
    return send(URI.create(url), notification, null);
  }

  private Future<AttemptResult> send(URI uri, ClaimedNotification notification, String secret) {
    return guard.resolve(vertx, uri)
      .compose(address -> post(uri, address, notification, secret))
      .recover(failure -> Future.succeededFuture(failure instanceof RefusedDestination
        ? new AttemptResult(AttemptResult.Verdict.REFUSED, null, failure.getMessage(), null)
        : new AttemptResult(AttemptResult.Verdict.RETRY, null, describe(failure), null)));
  }

  private Future<AttemptResult> post(URI uri, InetAddress address, ClaimedNotification notification, String secret) {
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    int port = uri.getPort() > 0 ? uri.getPort() : https ? 443 : 80;
    String path = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
      + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
    Buffer body = Buffer.buffer(notification.body());
    long timestamp = clock.instant().getEpochSecond();
    var request = client.request(HttpMethod.POST, SocketAddress.inetSocketAddress(port, address.getHostAddress()),
        port, uri.getHost(), path)
      .ssl(https)
      .followRedirects(false)
      .timeout(timeout.toMillis())
      .putHeader("content-type", "application/json");
    if (secret != null) {
      WebhookSigner.headers(secret, notification.messageId(), timestamp, body.getBytes()).forEach(request::putHeader);
    }
    return request.sendBuffer(body).map(this::verdict);
  }

  private AttemptResult verdict(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    return switch (HttpVerdict.of(status)) {
      case DELIVERED -> AttemptResult.delivered(status);
      case RETRY -> new AttemptResult(AttemptResult.Verdict.RETRY, status, error(response),
        RetryPolicy.parseRetryAfter(response.getHeader("retry-after"), clock.instant()));
      case DISABLE_RECEIVER -> new AttemptResult(AttemptResult.Verdict.DISABLE_RECEIVER, status, error(response), null);
      case FAIL -> new AttemptResult(AttemptResult.Verdict.FAIL, status, error(response), null);
    };
  }

  /** The status and the start of what the receiver said, for the delivery log. */
  private static String error(HttpResponse<Buffer> response) {
    String text = response.bodyAsString();
    String excerpt = text == null ? "" : text.length() > MAX_ERROR_BODY ? text.substring(0, MAX_ERROR_BODY) : text;
    return "HTTP " + response.statusCode() + (excerpt.isBlank() ? "" : ": " + excerpt.strip());
  }

  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }

  static String describe(Throwable failure) {
    String message = failure.getMessage();
    return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
