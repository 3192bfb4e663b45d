package io.fleetjobs.server.testsupport;

import io.fleetjobs.server.tokens.Role;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The agent's OpenAPI contract as tests that derive requests from it read it: every operation with its method,
 * path, role ({@code x-fleetjobs-role}), parameters and body schema, with {@code $ref}s resolved on demand.
 */
public final class Contract {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");
  private final JsonObject raw;

  /** One operation; {@code body} is null when it takes none. */
  public record Operation(String id, HttpMethod method, String path, Role role, List<JsonObject> parameters,
                          JsonObject body) {
    public List<JsonObject> parameters(String in) {
      return parameters.stream().filter(parameter -> in.equals(parameter.getString("in"))).toList();
    }

    @Override
    public String toString() {
      return id + " (" + method + " " + path + ")";
    }
  }

  private Contract(JsonObject raw) {
    this.raw = raw;
  }

  public static Contract load(Vertx vertx) {
    return new Contract(OpenAPIContract.from(vertx, "openapi.yaml").await().getRawContract());
  }

  /** Every operation, in a stable order, so a seed replays the same requests. */
  public List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    JsonObject paths = raw.getJsonObject("paths");
    // The parsed contract also holds bookkeeping keys of the JSON-schema library; paths start with a slash.
    for (String path : paths.fieldNames().stream().filter(key -> key.startsWith("/")).sorted().toList()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames().stream().filter(METHODS::contains).sorted().toList()) {
        JsonObject operation = item.getJsonObject(method);
        List<JsonObject> parameters = new ArrayList<>();
        item.getJsonArray("parameters", new JsonArray()).forEach(p -> parameters.add(resolve((JsonObject) p)));
        operation.getJsonArray("parameters", new JsonArray()).forEach(p -> parameters.add(resolve((JsonObject) p)));
        JsonObject body = operation.containsKey("requestBody")
          ? resolve(resolve(operation.getJsonObject("requestBody")).getJsonObject("content")
            .getJsonObject("application/json").getJsonObject("schema"))
          : null;
        String role = operation.getString("x-fleetjobs-role", "admin");
        operations.add(new Operation(operation.getString("operationId"),
          HttpMethod.valueOf(method.toUpperCase(Locale.ROOT)), path, Role.parse(role), parameters, body));
      }
    }
    operations.sort(Comparator.comparing(Operation::id));
    return operations;
  }

  /** The object a {@code $ref} points to, followed until it is no reference; anything else as it is. */
  public JsonObject resolve(JsonObject schema) {
    JsonObject current = schema;
    while (current != null && current.containsKey("$ref")) {
      current = pointer(current.getString("$ref"));
    }
    return current;
  }

  private JsonObject pointer(String ref) {
    if (!ref.startsWith("#/")) {
      throw new IllegalArgumentException("Only local references are expected: " + ref);
    }
    JsonObject node = raw;
    for (String segment : ref.substring(2).split("/")) {
      node = node.getJsonObject(segment.replace("~1", "/").replace("~0", "~"));
    }
    return node;
  }
}
