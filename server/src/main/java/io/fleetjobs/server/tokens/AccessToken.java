package io.fleetjobs.server.tokens;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;

/** A token as listed: never its secret. */
public record AccessToken(String name, Role role, Instant createdTime) {
  public static final RowMapper<AccessToken> ROW_MAPPER = row -> new AccessToken(
    row.getString("token_name"),
    Role.parse(row.getString("token_role")),
    row.getOffsetDateTime("created_time").toInstant());

  public JsonObject toJson() {
    return new JsonObject()
      .put("name", name)
      .put("role", role.wireName())
      .put("createdTime", createdTime.toString());
  }
}
