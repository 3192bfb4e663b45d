package io.fleetjobs.server.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Requests sent exactly as written (any path, any bytes, any content type) for tests that probe the agent's
 * edges. An endless event stream is answered by its status alone and then reset.
 */
public final class RawRequests {
  private final HttpClient client;
  private final int port;

  /** What came back. */
  public record Answer(int status, String contentType, String body) {
  }

  public RawRequests(Vertx vertx, int port) {
    this.client = vertx.createHttpClient();
    this.port = port;
  }

  /**
   * @param uri         from the server root, already encoded as it should go on the wire
   * @param token       the bearer token, or null for none
   * @param contentType null to send none
   * @param body        null to send none
   */
  public Answer send(HttpMethod method, String uri, String token, String contentType, Buffer body) {
    RequestOptions options = new RequestOptions()
      .setMethod(method)
      .setHost("127.0.0.1")
      .setPort(port)
      .setURI(uri);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      options.putHeader("Content-Type", contentType);
    }
    return client.request(options)
      .compose(request -> (body == null ? request.send() : request.send(body))
        .compose(response -> read(request, response)))
      .await();
  }

  private static Future<Answer> read(HttpClientRequest request, HttpClientResponse response) {
    String contentType = response.getHeader("Content-Type");
    if (contentType != null && contentType.startsWith("text/event-stream")) {
      return request.reset().transform(done -> Future.succeededFuture(new Answer(response.statusCode(), contentType,
        "")));
    }
    return response.body().map(body -> new Answer(response.statusCode(), contentType, body.toString()));
  }

  public void close() {
    client.close().await();
  }
}
