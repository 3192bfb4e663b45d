package io.fleetjobs.server.http;

import io.fleetjobs.server.http.ContractFuzzTest.FuzzRequest;
import io.fleetjobs.server.testsupport.Contract;
import io.fleetjobs.server.testsupport.PathSegments;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds requests from the contract's schemas: valid ones carrying hostile values, and ones broken in exactly one
 * way the contract refuses. Everything it picks comes from the {@link Random} it is given, so a seed replays the
 * same requests.
 */
final class RequestFuzzer {
  /** Valid names (no control character, at most 128 characters) that have broken parsers, queries and pages. */
  private static final List<String> HOSTILE_NAMES = List.of("' OR '1'='1", "\"; DROP TABLE jobs; --",
    "<script>alert(1)</script>", "${jndi:ldap://127.0.0.1/x}", "../../etc/passwd", "%s%n%x", "%41%", "\u202Eevil",
    "\uD83D\uDE00 \uD800\uDF48", "\\u0041", "a/b", "a+b c", "$(job_name)", "{{7*7}}", "null", "-1", "1e309", "[1]",
    "{}", "\uFEFFbom", "\u00A0", "x".repeat(128), "\uD83D\uDE00".repeat(128), "..x", " ", "\"", "\\");
  /** Names of alert resources: letters, digits, spaces and ._()-. */
  private static final List<String> ALERT_NAMES = List.of("Nightly (db-1) v2.0", "a", "x".repeat(128), "1.2.3",
    "A_b-C (d)");
  /** Free text may hold line breaks and other controls; NUL only where the contract has no pattern against it. */
  private static final List<String> HOSTILE_TEXT = List.of("line\r\nInjected-Header: yes", "tab\tand\u000Bvt",
    "\u0007bell", "<img src=x onerror=alert(1)>", "nul\u0000byte");
  private static final List<String> BROKEN_ESCAPES = List.of("%ZZ", "%", "%C3%28", "%FF", "%E2%82");
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z]+)}");
  private static final int MAX_BODY_BYTES = 1024 * 1024;

  private final Contract contract;
  private final Random random;

  /** Where a generated value sits: its container and its key or index there, and the schema it follows. */
  private record Location(Object parent, Object key, JsonObject schema) {
    Object value() {
      return parent instanceof JsonObject object ? object.getValue((String) key) : ((JsonArray) parent).getValue((int) key);
    }

    void replace(Object value) {
      if (parent instanceof JsonObject object) {
        object.put((String) key, value);
      } else {
        ((JsonArray) parent).set((int) key, value);
      }
    }
  }

  RequestFuzzer(Contract contract, Random random) {
    this.contract = contract;
    this.random = random;
  }

  /**
   * A valid request with hostile names and values. With {@code sideEffects}, it names objects that do not exist,
   * so it is answered without running, connecting or sending anything.
   */
  FuzzRequest hostile(Contract.Operation operation, boolean sideEffects) {
    String path = path(operation, parameter -> isName(parameter) ? sideEffects ? "missing" + random.nextInt(1000)
      : isAlert(operation) ? pick(ALERT_NAMES) : pick(HOSTILE_NAMES) : existing(parameter));
    StringBuilder query = new StringBuilder();
    for (JsonObject parameter : operation.parameters("query")) {
      if (random.nextBoolean()) {
        query.append(query.length() == 0 ? '?' : '&').append(PathSegments.encode(parameter.getString("name")))
          .append('=').append(PathSegments.encode(String.valueOf(valid(parameter.getJsonObject("schema"), 1, null))));
      }
    }
    return withBody(operation, path + query, "hostile " + operation.id());
  }

  /** A request broken in one way the contract refuses. */
  FuzzRequest invalid(Contract.Operation operation) {
    List<Supplier<FuzzRequest>> ways = new ArrayList<>();
    ways.add(() -> {
      // At the end of a segment: before other text, "%" and two hex digits could make a valid escape.
      String[] segments = path(operation, this::existing).split("/", -1);
      int at = 3 + random.nextInt(segments.length - 3);
      segments[at] = segments[at] + pick(BROKEN_ESCAPES);
      return withBody(operation, String.join("/", segments), "broken path escape");
    });
    ways.add(() -> withBody(operation, path(operation, this::existing) + "?a=" + pick(BROKEN_ESCAPES),
      "broken query escape"));
    for (JsonObject parameter : operation.parameters("path")) {
      String name = parameter.getString("name");
      JsonObject schema = contract.resolve(parameter.getJsonObject("schema"));
      if ("integer".equals(schema.getString("type"))) {
        ways.add(() -> withBody(operation, path(operation, name, pick(List.of("-1", "x", "2147483648", "1.5"))),
          "bad integer in the path"));
      } else if ("uuid".equals(schema.getString("format"))) {
        ways.add(() -> withBody(operation, path(operation, name, pick(List.of("not-a-uuid", "1234", "%00"))),
          "bad uuid in the path"));
      } else {
        ways.add(() -> withBody(operation, path(operation, name, "n".repeat(129 + random.nextInt(200))),
          "name too long"));
        ways.add(() -> withBody(operation, path(operation, name, "a" + pick(List.of("%01", "%00", "%1F", "%7F")) + "b"),
          "control character in a name"));
      }
    }
    for (JsonObject parameter : operation.parameters("query")) {
      ways.add(() -> withBody(operation, path(operation, this::existing) + "?" + parameter.getString("name") + "="
        + PathSegments.encode(invalidScalar(contract.resolve(parameter.getJsonObject("schema")))), "bad query value"));
    }
    if (operation.body() != null) {
      // Twice over: most of what the contract describes is in bodies.
      ways.add(() -> brokenBody(operation));
      ways.add(() -> brokenBody(operation));
    }
    return ways.get(random.nextInt(ways.size())).get();
  }

  private FuzzRequest brokenBody(Contract.Operation operation) {
    String path = path(operation, this::existing);
    List<Location> locations = new ArrayList<>();
    // The body sits in a one-element array, so that even the whole of it can be replaced.
    JsonArray holder = new JsonArray().add(valid(operation.body(), 0, locations));
    locations.add(0, new Location(holder, 0, contract.resolve(operation.body())));
    int kind = random.nextInt(100);
    String text = Json.encode(holder.getValue(0));
    if (kind < 4) {
      return new FuzzRequest(operation.method(), path, "application/json",
        Buffer.buffer(text.substring(0, 1 + random.nextInt(text.length() - 1))), "truncated JSON");
    } else if (kind < 7) {
      Buffer bytes = Buffer.buffer("{\"").appendBytes(new byte[] {(byte) 0xC3, 0x28}).appendString("\": 1}");
      return new FuzzRequest(operation.method(), path, "application/json", bytes, "not UTF-8");
    } else if (kind < 9) {
      return new FuzzRequest(operation.method(), path, "text/plain", Buffer.buffer(text), "wrong content type");
    } else if (kind < 11) {
      return new FuzzRequest(operation.method(), path, "application/json", null, "no body");
    } else if (kind < 12) {
      return new FuzzRequest(operation.method(), path, "application/json",
        Buffer.buffer("{\"description\": \"" + "x".repeat(MAX_BODY_BYTES) + "\"}"), "body over 1 MiB");
    }
    List<Supplier<String>> breaks = new ArrayList<>();
    for (int i = 0; i < locations.size(); i++) {
      breaks.addAll(breaks(locations.get(i), i == 0 ? "the body" : String.valueOf(locations.get(i).key())));
    }
    String what = breaks.get(random.nextInt(breaks.size())).get();
    return new FuzzRequest(operation.method(), path, "application/json", Buffer.buffer(Json.encode(holder.getValue(0))),
      what);
  }

  /** Each way the value at this location can break its schema. */
  private List<Supplier<String>> breaks(Location location, String where) {
    JsonObject schema = location.schema();
    List<Supplier<String>> breaks = new ArrayList<>();
    Set<String> types = types(schema);
    if (!types.isEmpty()) {
      breaks.add(() -> {
        location.replace(wrongTypeFor(types));
        return where + " of the wrong type";
      });
    }
    Object value = location.value();
    if (value instanceof JsonObject object) {
      JsonArray required = schema.getJsonArray("required", new JsonArray());
      if (!required.isEmpty()) {
        breaks.add(() -> {
          String missing = required.getString(random.nextInt(required.size()));
          object.remove(missing);
          return where + " without its required " + missing;
        });
      }
      if (Boolean.FALSE.equals(schema.getValue("additionalProperties"))) {
        breaks.add(() -> {
          object.put("zzUnknown", pick(HOSTILE_NAMES));
          return where + " with an unknown property";
        });
      }
    }
    if (value instanceof String && schema.containsKey("maxLength")) {
      breaks.add(() -> {
        location.replace("a".repeat(schema.getInteger("maxLength") + 1));
        return where + " too long";
      });
    }
    if (value instanceof String && schema.containsKey("pattern")) {
      breaks.add(() -> {
        Pattern pattern = Pattern.compile(schema.getString("pattern"));
        location.replace(pattern.matcher("a\u0001b").find() ? "a\u0000b" : "a\u0001b");
        return where + " against its pattern";
      });
    }
    if (value instanceof String && schema.containsKey("enum")) {
      breaks.add(() -> {
        location.replace("NotInTheEnum");
        return where + " outside its enum";
      });
    }
    if (value instanceof Number && schema.containsKey("minimum")) {
      breaks.add(() -> {
        location.replace(schema.getNumber("minimum").longValue() - 1);
        return where + " under its minimum";
      });
    }
    if (value instanceof Number && schema.containsKey("maximum")) {
      breaks.add(() -> {
        location.replace(schema.getNumber("maximum").longValue() + 1);
        return where + " over its maximum";
      });
    }
    if (value instanceof JsonArray array && schema.getInteger("maxItems", Integer.MAX_VALUE) <= 100) {
      breaks.add(() -> {
        while (array.size() <= schema.getInteger("maxItems")) {
          array.add(valid(schema.getJsonObject("items", new JsonObject()), 2, null));
        }
        return where + " with too many items";
      });
    }
    if (value instanceof JsonArray array && schema.getInteger("minItems", 0) > 0) {
      breaks.add(() -> {
        array.clear();
        return where + " with too few items";
      });
    }
    return breaks;
  }

  /** A value of the schema, hostile where it is free text, noting where each part of it sits. */
  private Object valid(JsonObject reference, int depth, List<Location> locations) {
    JsonObject schema = contract.resolve(reference);
    if (schema.containsKey("enum")) {
      return pick(schema.getJsonArray("enum").getList());
    }
    String type = types(schema).stream().filter(t -> !t.equals("null")).findFirst().orElse("object");
    switch (type) {
      case "object" -> {
        JsonObject object = new JsonObject();
        JsonObject properties = schema.getJsonObject("properties", new JsonObject());
        JsonArray required = schema.getJsonArray("required", new JsonArray());
        for (String key : properties.fieldNames().stream().sorted().toList()) {
          // A body's own name must agree with the URL's: left out.
          boolean wanted = required.contains(key) || depth < 3 && random.nextInt(3) == 0;
          if (wanted && !(depth == 0 && key.equals("name"))) {
            object.put(key, valid(properties.getJsonObject(key), depth + 1, locations));
            note(locations, object, key, properties.getJsonObject(key));
          }
        }
        return object;
      }
      case "array" -> {
        JsonArray array = new JsonArray();
        JsonObject items = schema.getJsonObject("items", new JsonObject());
        int count = Math.min(schema.getInteger("minItems", 0) + (depth < 3 ? random.nextInt(2) : 0),
          schema.getInteger("maxItems", Integer.MAX_VALUE));
        for (int i = 0; i < count; i++) {
          array.add(valid(items, depth + 1, locations));
          note(locations, array, i, items);
        }
        return array;
      }
      case "string" -> {
        return string(schema);
      }
      case "integer" -> {
        long min = schema.getNumber("minimum", 0).longValue();
        long max = schema.getNumber("maximum", min + 100).longValue();
        return min + random.nextInt((int) Math.min(100, max - min) + 1);
      }
      case "number" -> {
        double min = schema.getNumber("minimum", 0).doubleValue();
        return min + random.nextDouble() * Math.min(100, schema.getNumber("maximum", min + 100).doubleValue() - min);
      }
      case "boolean" -> {
        return random.nextBoolean();
      }
      default -> {
        return new JsonObject();
      }
    }
  }

  private void note(List<Location> locations, Object parent, Object key, JsonObject reference) {
    if (locations != null) {
      locations.add(new Location(parent, key, contract.resolve(reference)));
    }
  }

  private String string(JsonObject schema) {
    String format = schema.getString("format");
    if ("uuid".equals(format)) {
      return UUID.randomUUID().toString();
    }
    if ("date-time".equals(format)) {
      return "2026-0" + (1 + random.nextInt(9)) + "-15T12:00:00Z";
    }
    int min = schema.getInteger("minLength", 0);
    int max = schema.getInteger("maxLength", 256);
    Pattern pattern = schema.containsKey("pattern") ? Pattern.compile(schema.getString("pattern")) : null;
    for (int attempt = 0; attempt < 10; attempt++) {
      String candidate = random.nextInt(4) == 0 ? pick(HOSTILE_TEXT) : pick(HOSTILE_NAMES);
      int length = candidate.codePointCount(0, candidate.length());
      if (length >= min && length <= max && (pattern == null || pattern.matcher(candidate).find())) {
        return candidate;
      }
    }
    return "a".repeat(Math.max(1, min));
  }

  private static Set<String> types(JsonObject schema) {
    Object type = schema.getValue("type");
    if (type instanceof String single) {
      return Set.of(single);
    }
    if (type instanceof JsonArray several) {
      return Set.copyOf(several.stream().map(String::valueOf).toList());
    }
    return Set.of();
  }

  /** A JSON value none of the types allows. */
  private Object wrongTypeFor(Set<String> types) {
    List<Object> candidates = new ArrayList<>();
    if (!types.contains("string")) {
      candidates.add("x");
    }
    if (!types.contains("number")) {
      candidates.add(1.5);
      if (!types.contains("integer")) {
        candidates.add(7);
      }
    }
    if (!types.contains("boolean")) {
      candidates.add(true);
    }
    if (!types.contains("object")) {
      candidates.add(new JsonObject());
    }
    if (!types.contains("array")) {
      candidates.add(new JsonArray());
    }
    if (!types.contains("null")) {
      candidates.add(null);
    }
    return pick(candidates);
  }

  private String invalidScalar(JsonObject schema) {
    if (schema.containsKey("enum")) {
      return "NotInTheEnum";
    }
    return switch (String.valueOf(schema.getValue("type"))) {
      case "integer" -> pick(List.of("abc", "1.5", String.valueOf(schema.getNumber("minimum", 0).longValue() - 1),
        String.valueOf(schema.getNumber("maximum", Integer.MAX_VALUE).longValue() + 1)));
      case "boolean" -> pick(List.of("maybe", "2", "yes"));
      default -> "date-time".equals(schema.getString("format")) ? pick(List.of("yesterday", "2026-13-01T00:00:00Z"))
        : "n".repeat(129) + "\u0001";
    };
  }

  /** The operation's path, each parameter's value from {@code values}, percent-encoded. */
  private String path(Contract.Operation operation, Function<String, String> values) {
    Matcher placeholders = PLACEHOLDER.matcher(operation.path());
    StringBuilder built = new StringBuilder("/api/v1");
    while (placeholders.find()) {
      placeholders.appendReplacement(built, Matcher.quoteReplacement(PathSegments.encode(
        values.apply(placeholders.group(1)))));
    }
    placeholders.appendTail(built);
    return built.toString();
  }

  /** The operation's path with one parameter spelled raw, exactly as given, and the others existing. */
  private String path(Contract.Operation operation, String parameter, String raw) {
    String marker = "zzMarker" + random.nextInt(1000);
    return path(operation, name -> name.equals(parameter) ? marker : existing(name)).replace(marker, raw);
  }

  /** A valid value: a fresh UUID for an id, a small version, the seeded job or step for a name. */
  private String existing(String parameter) {
    return switch (parameter) {
      case "id" -> UUID.randomUUID().toString();
      case "version" -> String.valueOf(random.nextInt(3));
      case "stepName" -> "step";
      default -> "job";
    };
  }

  private static boolean isName(String parameter) {
    return !parameter.equals("id") && !parameter.equals("version");
  }

  private static boolean isAlert(Contract.Operation operation) {
    return operation.path().startsWith("/alertRules/") || operation.path().startsWith("/actionGroups/")
      || operation.path().startsWith("/alertProcessingRules/");
  }

  private FuzzRequest withBody(Contract.Operation operation, String uri, String what) {
    Buffer body = operation.body() == null ? null : Buffer.buffer(Json.encode(valid(operation.body(), 0, null)));
    return new FuzzRequest(operation.method(), uri, body == null ? null : "application/json", body, what);
  }

  private <T> T pick(List<T> choices) {
    return choices.get(random.nextInt(choices.size()));
  }
}
