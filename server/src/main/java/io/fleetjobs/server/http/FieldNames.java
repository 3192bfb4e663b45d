package io.fleetjobs.server.http;

import io.fleetjobs.common.errors.FleetJobsException;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renames the fields the job database names (its routines speak the snake_case of the sp_* parameters)
 * into the JSON paths of one resource. Unlisted names become camelCase segment by segment.
 */
public final class FieldNames {
  private static final Pattern SNAKE = Pattern.compile("_([a-z])");
  private final Map<String, String> aliases;

  private FieldNames(Map<String, String> aliases) {
    this.aliases = aliases;
  }

  public static FieldNames of(Map<String, String> aliases) {
    return new FieldNames(aliases);
  }

  public Throwable rename(Throwable failure) {
    if (failure instanceof FleetJobsException known && known.target() != null) {
      return known.withTarget(jsonPath(known.target()));
    }
    return failure;
  }

  String jsonPath(String field) {
    String alias = aliases.get(field);
    if (alias != null) {
      return alias;
    }
    // members[2].database_name: rename the last segment, keep the prefix.
    int dot = field.lastIndexOf('.');
    if (dot >= 0) {
      return field.substring(0, dot + 1) + jsonPath(field.substring(dot + 1));
    }
    Matcher matcher = SNAKE.matcher(field);
    StringBuilder camel = new StringBuilder();
    while (matcher.find()) {
      matcher.appendReplacement(camel, matcher.group(1).toUpperCase());
    }
    return matcher.appendTail(camel).toString();
  }
}
