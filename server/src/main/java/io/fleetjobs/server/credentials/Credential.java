package io.fleetjobs.server.credentials;

import io.fleetjobs.common.secrets.SecretReference;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;

/**
 * A stored login as the API shows it: the password is write-only and never part of it; a password given by
 * reference shows the reference (where it is read), never its value.
 */
public record Credential(String name, String username, SecretReference passwordFrom, Instant createdTime,
                         Instant updatedTime) {
  public static final RowMapper<Credential> ROW_MAPPER = row -> new Credential(
    row.getString("credential_name"),
    row.getString("username"),
    row.getValue("password_from") == null ? null
      : SecretReference.fromJson((JsonObject) row.getValue("password_from"), "passwordFrom"),
    row.getOffsetDateTime("created_time").toInstant(),
    row.getOffsetDateTime("updated_time").toInstant());

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("name", name)
      .put("username", username)
      .put("createdTime", createdTime.toString())
      .put("updatedTime", updatedTime.toString());
    // Only a reference is ever shown, and only where there is one.
    return passwordFrom == null ? json : json.put("passwordFrom", passwordFrom.toJson());
  }
}
