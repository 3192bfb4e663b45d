package io.fleetjobs.alerts.json;

import io.fleetjobs.alerts.errors.InvalidField;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed reads from a request body that fail with the field's JSON path, never with a ClassCastException.
 * The contract validates shapes first; these reads are the second line, and what pure code relies on.
 */
public final class JsonFields {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}");
  private final JsonObject json;
  private final String path;

  private JsonFields(JsonObject json, String path) {
    this.json = json;
    this.path = path;
  }

  public static JsonFields of(JsonObject json) {
    return new JsonFields(json, "");
  }

  /** A resource name as it appears in a URL: letters, digits, space and {@code ._()-}, up to 128. */
  public static String checkName(String name, String field) {
    if (name == null || !NAME.matcher(name).matches() || name.endsWith(" ")) {
      throw new InvalidField(field, "A name has 1 to 128 letters, digits, spaces or ._()- characters, "
        + "starts with a letter or digit and does not end with a space.");
    }
    return name;
  }

  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public Optional<String> string(String key, int maxLength) {
    Object value = json.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw new InvalidField(path(key), "Must be a string.");
    }
    if (text.length() > maxLength) {
      throw new InvalidField(path(key), "Must be at most " + maxLength + " characters.");
    }
    return Optional.of(text);
  }

  public String requiredString(String key, int maxLength) {
    return string(key, maxLength)
      .filter(text -> !text.isBlank())
      .orElseThrow(() -> new InvalidField(path(key), "Is required."));
  }

  public boolean bool(String key, boolean defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean flag)) {
      throw new InvalidField(path(key), "Must be true or false.");
    }
    return flag;
  }

  public int integer(String key, int defaultValue, int min, int max) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())
      || number.doubleValue() < min || number.doubleValue() > max) {
      throw new InvalidField(path(key), "Must be a whole number from " + min + " to " + max + ".");
    }
    return number.intValue();
  }

  public double requiredNumber(String key) {
    Object value = json.getValue(key);
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw new InvalidField(path(key), value == null ? "Is required." : "Must be a number.");
    }
    return number.doubleValue();
  }

  /** An ISO-8601 duration such as PT5M, in whole seconds within the bounds. */
  public Duration duration(String key, Duration defaultValue, Duration min, Duration max) {
    Optional<String> text = string(key, 64);
    if (text.isEmpty()) {
      return defaultValue;
    }
    Duration duration;
    try {
      duration = Duration.parse(text.get());
    } catch (DateTimeParseException e) {
      throw new InvalidField(path(key), "Must be an ISO-8601 duration such as PT5M, not '" + text.get() + "'.");
    }
    if (duration.getNano() != 0 || duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      throw new InvalidField(path(key), "Must be whole seconds from " + min + " to " + max + ".");
    }
    return duration;
  }

  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    Optional<String> text = string(key, 64);
    if (text.isEmpty()) {
      if (defaultValue == null) {
        throw new InvalidField(path(key), "Is required.");
      }
      return defaultValue;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(text.get())) {
        return constant;
      }
    }
    throw new InvalidField(path(key), "Must be one of " + List.of(type.getEnumConstants()) + ".");
  }

  public JsonFields object(String key) {
    Object value = json.getValue(key);
    if (!(value instanceof JsonObject child)) {
      throw new InvalidField(path(key), value == null ? "Is required." : "Must be an object.");
    }
    return new JsonFields(child, path(key));
  }

  /** Each element of an optional array, read with its own path such as {@code allOf[2]}. */
  public <T> List<T> objects(String key, int max, Function<JsonFields, T> reader) {
    JsonArray array = array(key, max);
    List<T> items = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String itemPath = path(key) + "[" + i + "]";
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw new InvalidField(itemPath, "Must be an object.");
      }
      items.add(reader.apply(new JsonFields(item, itemPath)));
    }
    return items;
  }

  public List<String> strings(String key, int max, int maxLength) {
    JsonArray array = array(key, max);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String text) || text.isEmpty() || text.length() > maxLength) {
        throw new InvalidField(path(key) + "[" + i + "]", "Must be a non-empty string of at most " + maxLength
          + " characters.");
      }
      items.add(text);
    }
    return items;
  }

  private JsonArray array(String key, int max) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (!(value instanceof JsonArray array)) {
      throw new InvalidField(path(key), "Must be an array.");
    }
    if (array.size() > max) {
      throw new InvalidField(path(key), "Holds at most " + max + " entries.");
    }
    return array;
  }
}
