package io.fleetjobs.server.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import java.util.HashMap;
import java.util.Map;

/**
 * What the contract's validator is shown of a request: each parameter exactly as sent, decoded once. The
 * library's own extraction splits the raw path (a dot segment shifts every parameter after it), decodes a
 * path's '+' as a space, decodes query values a second time (so {@code ?alertRule=%2541} asked for "A", and a
 * value holding '%' failed with a 500), and its validator reads a string parameter as JSON unless it is a
 * single word, so {@code sec-victi\u006d} named the job {@code sec-victim}. Here path parameters are the
 * router's (decoded once from the normalized path), query parameters Vert.x's (decoded once, as a form), and
 * each string is handed over in the one spelling that the validator's own transformer reads back unchanged.
 */
final class ContractRequests implements RequestExtractor {
  private static final ParameterTransformer TRANSFORMER = new SimpleTransformer();
  private static final RequestParameter ABSENT = () -> null;

  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> path = new HashMap<>();
    Map<String, RequestParameter> query = new HashMap<>();
    Map<String, RequestParameter> headers = new HashMap<>();
    Map<String, RequestParameter> cookies = new HashMap<>();
    for (Parameter parameter : operation.getParameters()) {
      String name = parameter.getName();
      switch (parameter.getIn()) {
        case PATH -> path.put(name, asSent(parameter, ctx.pathParam(name)));
        case QUERY -> query.put(name, asSent(parameter, ctx.queryParams().get(name)));
        case HEADER -> headers.put(name, asSent(parameter, ctx.request().getHeader(name)));
        case COOKIE -> {
          Cookie cookie = ctx.request().getCookie(name);
          cookies.put(name, asSent(parameter, cookie == null ? null : cookie.getValue()));
        }
        default -> throw new IllegalStateException("A parameter in " + parameter.getIn());
      }
    }
    Buffer body = operation.getRequestBody() == null ? null : ctx.body().buffer();
    return Future.succeededFuture(new Extracted(path, query, headers, cookies,
      body == null ? ABSENT : () -> body, ctx.request().getHeader(HttpHeaders.CONTENT_TYPE)));
  }

  private static RequestParameter asSent(Parameter parameter, String value) {
    if (value == null) {
      return ABSENT;
    }
    if (parameter.getSchemaType() != SchemaType.STRING) {
      return () -> value;
    }
    String shown = readsBackAs(parameter, value) ? value : Json.encode(value);
    return () -> shown;
  }

  private static boolean readsBackAs(Parameter parameter, String value) {
    try {
      return value.equals(TRANSFORMER.transformPrimitive(parameter, value));
    } catch (DecodeException e) {
      return false;
    }
  }

  private record Extracted(Map<String, RequestParameter> path, Map<String, RequestParameter> query,
                           Map<String, RequestParameter> headers, Map<String, RequestParameter> cookies,
                           RequestParameter body, String contentType) implements ValidatableRequest {

    @Override
    public Map<String, RequestParameter> getPathParameters() {
      return path;
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return query;
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return headers;
    }

    @Override
    public Map<String, RequestParameter> getCookies() {
      return cookies;
    }

    @Override
    public RequestParameter getBody() {
      return body;
    }

    @Override
    public String getContentType() {
      return contentType;
    }
  }
}
