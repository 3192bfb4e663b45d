package io.fleetjobs.server.http;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One table of JSON paths and the job database's parameter names, read both ways: forward to build the
 * snake_case definition the routines take, backward to name the JSON field an error is about.
 */
public final class FieldMapping {
  private final Map<String, String> jsonToSql;

  private FieldMapping(Map<String, String> jsonToSql) {
    this.jsonToSql = jsonToSql;
  }

  /** @param pairs json path, sql name, json path, sql name, ... */
  public static FieldMapping of(String... pairs) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return new FieldMapping(map);
  }

  public JsonObject toSql(JsonObject json) {
    JsonObject sql = new JsonObject();
    jsonToSql.forEach((path, name) -> {
      Object value = valueAt(json, path);
      if (value != null) {
        sql.put(name, value);
      }
    });
    return sql;
  }

  /** @param extra aliases for fields that are not in the body, such as the resource's own name */
  public FieldNames names(Map<String, String> extra) {
    Map<String, String> sqlToJson = new LinkedHashMap<>(extra);
    jsonToSql.forEach((path, name) -> sqlToJson.put(name, path));
    return FieldNames.of(sqlToJson);
  }

  private static Object valueAt(JsonObject json, String path) {
    Object current = json;
    for (String key : path.split("\\.")) {
      if (!(current instanceof JsonObject object)) {
        return null;
      }
      current = object.getValue(key);
    }
    return current;
  }
}
