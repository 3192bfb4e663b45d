package io.fleetjobs.server.http;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.json.schema.OutputUnit;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Turns what the OpenAPI validator refused into an error that names the field, as JSON paths do. */
final class ValidationFailures {
  private static final Pattern PARAMETER = Pattern.compile("(?:path|query|header|cookie) parameter ([^ ]+?)(?:[ .]|$)");
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");
  private static final Pattern ADDITIONAL = Pattern.compile("Property \"([^\"]+)\" does not match additional properties");
  private static final Pattern WRAPPER = Pattern.compile("does not match schema|sub-?schema had errors|Items did not match");

  private ValidationFailures() {
  }

  static InvalidInput toInvalidInput(ValidatorException failure) {
    String message = failure.getMessage();
    if (failure.type() == ValidatorErrorType.ILLEGAL_VALUE && message.contains("body can't be decoded")) {
      return new InvalidInput("InvalidJson", "body", "The request body is not valid JSON.");
    }
    Matcher parameter = PARAMETER.matcher(message);
    if (parameter.find()) {
      return new InvalidInput(parameter.group(1), message);
    }
    if (failure instanceof SchemaValidationException schema) {
      return fromSchema(schema.getOutputUnit());
    }
    return new InvalidInput("body", message);
  }

  private static InvalidInput fromSchema(OutputUnit result) {
    List<OutputUnit> errors = new ArrayList<>();
    collect(result, errors);
    // A property that fails its own schema is also reported as an "additional" one, and every failure is
    // wrapped in "does not match schema"; the reasons are the rest. With none, the property is unknown.
    List<OutputUnit> reasons = errors.stream()
      .filter(unit -> !WRAPPER.matcher(unit.getError()).find() && !ADDITIONAL.matcher(unit.getError()).find())
      .toList();
    if (reasons.isEmpty()) {
      Optional<OutputUnit> unknown = deepest(errors.stream().filter(unit -> ADDITIONAL.matcher(unit.getError()).find()));
      if (unknown.isPresent()) {
        Matcher additional = ADDITIONAL.matcher(unknown.get().getError());
        additional.find();
        return new InvalidInput(jsonPath(unknown.get().getInstanceLocation()),
          "Unknown property '" + additional.group(1) + "': this object has no such field.");
      }
    }
    OutputUnit mostSpecific = deepest((reasons.isEmpty() ? errors : reasons).stream()).orElse(result);
    String target = jsonPath(mostSpecific.getInstanceLocation());
    String error = mostSpecific.getError() == null ? "The value is invalid." : mostSpecific.getError();
    Matcher required = REQUIRED.matcher(error);
    if (required.find()) {
      target = join(target, required.group(1));
      error = "This property is required.";
    }
    return new InvalidInput(target.isEmpty() ? "body" : target, error);
  }

  private static Optional<OutputUnit> deepest(Stream<OutputUnit> units) {
    return units.max(Comparator.comparingInt(unit -> depth(unit.getInstanceLocation())));
  }

  private static void collect(OutputUnit unit, List<OutputUnit> errors) {
    if (unit.getError() != null) {
      errors.add(unit);
    }
    if (unit.getErrors() != null) {
      unit.getErrors().forEach(child -> collect(child, errors));
    }
  }

  private static int depth(String location) {
    return location == null ? -1 : location.split("/").length;
  }

  /** "#/members/0/type" or "/members/0/type" becomes "members[0].type". */
  static String jsonPath(String pointer) {
    if (pointer == null) {
      return "";
    }
    String path = "";
    for (String segment : pointer.replaceFirst("^#", "").split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      String unescaped = segment.replace("~1", "/").replace("~0", "~");
      path = unescaped.matches("\\d+") ? path + "[" + unescaped + "]" : join(path, unescaped);
    }
    return path;
  }

  private static String join(String path, String property) {
    return path.isEmpty() ? property : path + "." + property;
  }
}
