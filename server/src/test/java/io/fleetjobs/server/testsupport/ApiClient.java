package io.fleetjobs.server.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

/** A blocking client for tests: each call awaits the real HTTP response from the agent. */
public final class ApiClient {
  private final WebClient client;
  private final int port;
  private final String token;

  public ApiClient(WebClient client, int port, String token) {
    this.client = client;
    this.port = port;
    this.token = token;
  }

  public static ApiClient create(Vertx vertx, int port, String token) {
    return new ApiClient(WebClient.create(vertx), port, token);
  }

  /** The bearer token this client sends, for requests it cannot make itself (streams, browsers). */
  public String token() {
    return token;
  }

  public ApiClient as(String otherToken) {
    return new ApiClient(client, port, otherToken);
  }

  /** @param path below /api/v1, already URL-encoded */
  public HttpResponse<Buffer> get(String path) {
    return send(HttpMethod.GET, path, null);
  }

  public HttpResponse<Buffer> put(String path, JsonObject body) {
    return send(HttpMethod.PUT, path, body.toBuffer());
  }

  public HttpResponse<Buffer> post(String path, JsonObject body) {
    return send(HttpMethod.POST, path, body.toBuffer());
  }

  public HttpResponse<Buffer> delete(String path) {
    return send(HttpMethod.DELETE, path, null);
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, Buffer body) {
    return send(method, path, "application/json", body);
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String contentType, Buffer body) {
    return raw(method, "/api/v1" + path, contentType, body);
  }

  /** @param fullPath from the server root, such as /health/ready */
  public HttpResponse<Buffer> raw(HttpMethod method, String fullPath, Buffer body) {
    return raw(method, fullPath, "application/json", body);
  }

  private HttpResponse<Buffer> raw(HttpMethod method, String fullPath, String contentType, Buffer body) {
    HttpRequest<Buffer> request = client.request(method, port, "127.0.0.1", fullPath);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    if (body == null) {
      return request.send().await();
    }
    return request.putHeader("Content-Type", contentType).sendBuffer(body).await();
  }
}
