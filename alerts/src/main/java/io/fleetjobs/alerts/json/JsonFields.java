package io.fleetjobs.alerts.json;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.secrets.SecretReference;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Typed reads of one JSON object of a request body. It knows where the object sits in the body, so every
 * refusal is an {@link InvalidInput} whose target and message start with the field's path (for example
 * {@code criteria.allOf[0].threshold}), never a ClassCastException. JSON null reads as absent, since many
 * clients send every property. The contract validates shapes first; these reads are what pure code relies on.
 */
public final class JsonFields {
  public static final DateTimeFormatter TIME = DateTimeFormatter
    .ofPattern("HH:mm:ss")
    .withResolverStyle(ResolverStyle.STRICT);
  public static final DateTimeFormatter DATE_TIME = DateTimeFormatter
    .ofPattern("uuuu-MM-dd'T'HH:mm:ss")
    .withResolverStyle(ResolverStyle.STRICT);
  /** PostgreSQL text cannot hold NUL, so a value holding one could never be stored. */
  private static final String NUL = "must not contain the NUL character (\\u0000).";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._()-]{0,127}");
  private final JsonObject json;
  private final String path;

  private JsonFields(JsonObject json, String path) {
    this.json = json;
    this.path = path;
  }

  /**
   * The body of a PUT to a named resource: the URL's name must be a valid name, and a {@code name} in the
   * body, which Azure's bodies may repeat, must agree with it.
   */
  public static JsonFields named(String name, JsonObject body) {
    checkName(name, "name");
    JsonFields json = new JsonFields(body, "");
    json.string("name", 200).filter(bodyName -> !bodyName.equals(name)).ifPresent(bodyName -> {
      throw new InvalidInput("name", "name is '" + bodyName + "' in the body but '" + name + "' in the URL.");
    });
    return json;
  }

  /** A resource name as it appears in a URL: letters, digits, space and {@code ._()-}, up to 128. */
  public static String checkName(String name, String field) {
    if (name == null || !NAME.matcher(name).matches() || name.endsWith(" ")) {
      throw new InvalidInput(field, field + " has 1 to 128 letters, digits, spaces or ._()- characters, "
        + "starts with a letter or digit and does not end with a space.");
    }
    return name;
  }

  public String path(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  public String path(String key, int index) {
    return path(key) + "[" + index + "]";
  }

  public Optional<String> string(String key, int maxLength) {
    Object value = json.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof String text)) {
      throw invalid(key, "must be a string.");
    }
    if (text.length() > maxLength) {
      throw invalid(key, "must be at most " + maxLength + " characters.");
    }
    if (text.indexOf('\u0000') >= 0) {
      throw invalid(key, NUL);
    }
    return Optional.of(text);
  }

  public String requiredString(String key, int maxLength) {
    return string(key, maxLength)
      .filter(text -> !text.isBlank())
      .orElseThrow(() -> invalid(key, "is required."));
  }

  public boolean bool(String key, boolean defaultValue) {
    Object value = json.getValue(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean flag)) {
      throw invalid(key, "must be true or false.");
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
      throw invalid(key, "must be a whole number from " + min + " to " + max + ".");
    }
    return number.intValue();
  }

  public double requiredNumber(String key) {
    Object value = json.getValue(key);
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw invalid(key, value == null ? "is required." : "must be a number.");
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
      throw invalid(key, "must be an ISO-8601 duration such as PT5M, not '" + text.get() + "'.");
    }
    if (duration.getNano() != 0 || duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      throw invalid(key, "must be whole seconds from " + min + " to " + max + ".");
    }
    return duration;
  }

  public Optional<LocalTime> time(String key) {
    return string(key, 64).map(text -> {
      try {
        return LocalTime.parse(text, TIME);
      } catch (DateTimeParseException e) {
        throw invalid(key, "is " + text + ", but must be a time like 22:00:00.");
      }
    });
  }

  public Optional<LocalDateTime> dateTime(String key) {
    return string(key, 64).map(text -> {
      try {
        return LocalDateTime.parse(text, DATE_TIME);
      } catch (DateTimeParseException e) {
        throw invalid(key, "is " + text + ", but must be a local date-time without offset like 2026-12-01T22:00:00.");
      }
    });
  }

  /** @param defaultValue null when the field is required */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
    Optional<String> text = string(key, 64);
    if (text.isEmpty()) {
      if (defaultValue == null) {
        throw invalid(key, "is required.");
      }
      return defaultValue;
    }
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(text.get())) {
        return constant;
      }
    }
    throw invalid(key, "is " + text.get() + ", but must be one of " + List.of(type.getEnumConstants()) + ".");
  }

  public JsonFields object(String key) {
    return optionalObject(key).orElseThrow(() -> invalid(key, "is required."));
  }

  public Optional<JsonFields> optionalObject(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (!(value instanceof JsonObject child)) {
      throw invalid(key, "must be an object.");
    }
    return Optional.of(new JsonFields(child, path(key)));
  }

  /** Where a secret is read when it is used, refused with this field's path when it could not be read safely. */
  public Optional<SecretReference> secretReference(String key) {
    Object value = json.getValue(key);
    if (value != null && !(value instanceof JsonObject)) {
      throw invalid(key, "must be an object such as {\"file\": \"/run/secrets/hook\"}.");
    }
    return Optional.ofNullable(SecretReference.fromJson((JsonObject) value, path(key)));
  }

  /** Each element of an optional array, read with its own path such as {@code allOf[2]}. */
  public <T> List<T> objects(String key, int max, Function<JsonFields, T> reader) {
    JsonArray array = array(key, max);
    List<T> items = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject item)) {
        throw new InvalidInput(path(key, i), path(key, i) + " must be an object.");
      }
      items.add(reader.apply(new JsonFields(item, path(key, i))));
    }
    return items;
  }

  public List<String> strings(String key, int max, int maxLength) {
    JsonArray array = array(key, max);
    List<String> items = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String text) || text.isEmpty() || text.length() > maxLength) {
        throw new InvalidInput(path(key, i), path(key, i) + " must be a non-empty string of at most " + maxLength
          + " characters.");
      }
      if (text.indexOf('\u0000') >= 0) {
        throw new InvalidInput(path(key, i), path(key, i) + " " + NUL);
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
      throw invalid(key, "must be an array.");
    }
    if (array.size() > max) {
      throw invalid(key, "holds at most " + max + " entries, not " + array.size() + ".");
    }
    return array;
  }

  /** A refusal of {@code key} whose message starts with the field's path. */
  public InvalidInput invalid(String key, String problem) {
    return new InvalidInput(path(key), path(key) + " " + problem);
  }
}
