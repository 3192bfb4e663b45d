package io.fleetjobs.alerts.suppress;

import io.fleetjobs.alerts.errors.InvalidField;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Typed reads of one JSON object of a request body, which knows where the object sits in the body so that every
 * refusal names the field to fix. Values are read with {@code getValue} and checked, so a wrong type is an
 * {@link InvalidField} and never a ClassCastException. JSON null reads as absent, since many clients send every
 * property.
 */
record JsonFields(JsonObject json, String path) {
  static final DateTimeFormatter TIME = DateTimeFormatter
    .ofPattern("HH:mm:ss")
    .withResolverStyle(ResolverStyle.STRICT);
  static final DateTimeFormatter DATE_TIME = DateTimeFormatter
    .ofPattern("uuuu-MM-dd'T'HH:mm:ss")
    .withResolverStyle(ResolverStyle.STRICT);

  static JsonFields root(JsonObject json) {
    return new JsonFields(json, "");
  }

  String target(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  String target(String key, int index) {
    return target(key) + "[" + index + "]";
  }

  Optional<String> string(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof String text) {
      return Optional.of(text);
    }
    throw new InvalidField(target(key), target(key) + " must be a string");
  }

  String requiredString(String key) {
    return string(key).orElseThrow(() -> new InvalidField(target(key), target(key) + " is required"));
  }

  Optional<Boolean> bool(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof Boolean flag) {
      return Optional.of(flag);
    }
    throw new InvalidField(target(key), target(key) + " must be true or false");
  }

  Optional<JsonFields> object(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return Optional.empty();
    }
    if (value instanceof JsonObject object) {
      return Optional.of(new JsonFields(object, target(key)));
    }
    throw new InvalidField(target(key), target(key) + " must be an object");
  }

  /** The objects of an array, each knowing its index; an absent array reads as empty. */
  List<JsonFields> objects(String key) {
    JsonArray array = array(key);
    List<JsonFields> objects = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof JsonObject object)) {
        throw new InvalidField(target(key, i), target(key, i) + " must be an object");
      }
      objects.add(new JsonFields(object, target(key, i)));
    }
    return objects;
  }

  /** The strings of an array; an absent array reads as empty. */
  List<String> strings(String key) {
    JsonArray array = array(key);
    List<String> strings = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      if (!(array.getValue(i) instanceof String text)) {
        throw new InvalidField(target(key, i), target(key, i) + " must be a string");
      }
      strings.add(text);
    }
    return strings;
  }

  <E extends Enum<E>> E requiredEnum(String key, Class<E> type) {
    String value = requiredString(key);
    return Arrays
      .stream(type.getEnumConstants())
      .filter(constant -> constant.name().equals(value))
      .findFirst()
      .orElseThrow(() -> new InvalidField(target(key),
        target(key) + " is " + value + ", but must be one of " + names(type)));
  }

  Optional<LocalTime> time(String key) {
    return string(key).map(text -> {
      try {
        return LocalTime.parse(text, TIME);
      } catch (DateTimeParseException e) {
        throw new InvalidField(target(key), target(key) + " is " + text + ", but must be a time like 22:00:00");
      }
    });
  }

  Optional<LocalDateTime> dateTime(String key) {
    return string(key).map(text -> {
      try {
        return LocalDateTime.parse(text, DATE_TIME);
      } catch (DateTimeParseException e) {
        throw new InvalidField(target(key), target(key) + " is " + text
          + ", but must be a local date-time without offset like 2026-12-01T22:00:00");
      }
    });
  }

  private static String names(Class<? extends Enum<?>> type) {
    return Arrays
      .stream(type.getEnumConstants())
      .map(Enum::name)
      .collect(Collectors.joining(", "));
  }

  private JsonArray array(String key) {
    Object value = json.getValue(key);
    if (value == null) {
      return new JsonArray();
    }
    if (value instanceof JsonArray array) {
      return array;
    }
    throw new InvalidField(target(key), target(key) + " must be an array");
  }
}
