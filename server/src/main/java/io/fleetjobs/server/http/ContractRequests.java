package io.fleetjobs.server.http;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatableRequest;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import java.util.HashMap;
import java.util.Map;

/**
 * What the contract's validator is shown of a request: its path parameters exactly as the router decoded
 * them, once, from the normalized path. The library's own extraction splits the raw path (a dot segment
 * shifts every parameter after it) and decodes '+' as a space, and its validator reads a string parameter
 * as JSON unless it is a single word, so {@code sec-victi\u006d} named the job {@code sec-victim} and a
 * name holding a quote could not be sent at all. Each value is therefore handed over in the one spelling
 * that the validator's own transformer turns back into exactly the string that was sent.
 */
final class ContractRequests implements RequestExtractor {
  private static final RequestExtractor WITH_BODY = RequestExtractor.withBodyHandler();
  private static final ParameterTransformer PATH_STYLE = new SimpleTransformer();

  @Override
  public Future<ValidatableRequest> extractValidatableRequest(RoutingContext ctx, Operation operation) {
    Map<String, RequestParameter> path = new HashMap<>();
    for (Parameter parameter : operation.getParameters()) {
      if (parameter.getIn() == Location.PATH) {
        path.put(parameter.getName(), asSent(parameter, ctx.pathParam(parameter.getName())));
      }
    }
    return WITH_BODY.extractValidatableRequest(ctx, operation).map(request -> new Extracted(request, path));
  }

  private static RequestParameter asSent(Parameter parameter, String value) {
    if (value == null || parameter.getSchemaType() != SchemaType.STRING) {
      return () -> value;
    }
    String shown = readsBackAs(parameter, value) ? value : Json.encode(value);
    return () -> shown;
  }

  private static boolean readsBackAs(Parameter parameter, String value) {
    try {
      return value.equals(PATH_STYLE.transformPrimitive(parameter, value));
    } catch (DecodeException e) {
      return false;
    }
  }

  /** The library's extraction with the path parameters replaced. */
  private record Extracted(ValidatableRequest request, Map<String, RequestParameter> path)
    implements ValidatableRequest {

    @Override
    public Map<String, RequestParameter> getPathParameters() {
      return path;
    }

    @Override
    public Map<String, RequestParameter> getCookies() {
      return request.getCookies();
    }

    @Override
    public Map<String, RequestParameter> getQuery() {
      return request.getQuery();
    }

    @Override
    public Map<String, RequestParameter> getHeaders() {
      return request.getHeaders();
    }

    @Override
    public RequestParameter getBody() {
      return request.getBody();
    }

    @Override
    public String getContentType() {
      return request.getContentType();
    }
  }
}
