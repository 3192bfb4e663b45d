package io.fleetjobs.server.targetgroups;

import io.fleetjobs.server.targets.ConnectionSettings;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One include or exclude rule of a target group, as stored (defaults applied). {@code trustServerCertificate}
 * (sqlserver members only) accepts the server's TLS certificate without checking who signed it; {@code sslMode}
 * (postgresql and mysql members) is the TLS mode in the engine's words, null for the agent's default;
 * {@code authentication} is null for stored credentials, or Entra.
 */
public record TargetGroupMember(
  UUID targetId,
  String membershipType,
  String type,
  String engine,
  String serverName,
  String databaseName,
  String elasticPoolName,
  String refreshCredential,
  UUID refreshCredentialId,
  boolean trustServerCertificate,
  String sslMode,
  String authentication) {

  public boolean isInclude() {
    return membershipType.equals("Include");
  }

  /** Reads the object the repository's query builds per member. */
  static TargetGroupMember fromJson(JsonObject json) {
    return new TargetGroupMember(
      UUID.fromString(json.getString("targetId")),
      json.getString("membershipType"),
      json.getString("type"),
      json.getString("engine"),
      json.getString("serverName"),
      json.getString("databaseName"),
      json.getString("elasticPoolName"),
      json.getString("refreshCredential"),
      json.getString("refreshCredentialId") == null ? null : UUID.fromString(json.getString("refreshCredentialId")),
      json.getBoolean("trustServerCertificate", false),
      json.getString("sslMode"),
      json.getString("authentication"));
  }

  /** How this member's connections are secured and sign in. */
  public ConnectionSettings connection() {
    return new ConnectionSettings(trustServerCertificate, sslMode, authentication);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("targetId", targetId.toString())
      .put("membershipType", membershipType)
      .put("type", type)
      .put("serverName", serverName)
      .put("engine", engine);
    putIfPresent(json, "databaseName", databaseName);
    putIfPresent(json, "elasticPoolName", elasticPoolName);
    putIfPresent(json, "refreshCredential", refreshCredential);
    putIfPresent(json, "sslMode", sslMode);
    return json
      .put("authentication", authentication == null ? "SqlLogin" : authentication)
      .put("trustServerCertificate", trustServerCertificate);
  }

  private static void putIfPresent(JsonObject json, String key, String value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
