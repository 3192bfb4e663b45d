package io.fleetjobs.server.targetgroups;

import io.fleetjobs.server.targets.ConnectionSettings;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.util.UUID;

/**
 * One include or exclude rule of a target group, as stored (defaults applied). {@code trustServerCertificate}
 * (sqlserver members only) accepts the server's TLS certificate without checking who signed it; {@code sslMode}
 * (postgresql and mysql members) is the TLS mode in the engine's words, null for the agent's default;
 * {@code authentication} is null for stored credentials, or Entra. A {@code canary} member's databases go first
 * in a rollout.
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
  String authentication,
  boolean canary) {

  public boolean isInclude() {
    return membershipType.equals("Include");
  }

  /** A member row of the repository's group queries. */
  static final RowMapper<TargetGroupMember> ROW_MAPPER = row -> new TargetGroupMember(
    row.getUUID("target_id"),
    row.getString("membership_type"),
    row.getString("target_type"),
    row.getString("engine"),
    row.getString("server_name"),
    row.getString("database_name"),
    row.getString("elastic_pool_name"),
    row.getString("refresh_credential_name"),
    row.getUUID("refresh_credential_id"),
    row.getBoolean("trust_server_certificate"),
    row.getString("ssl_mode"),
    row.getString("authentication"),
    row.getBoolean("canary"));

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
      .put("trustServerCertificate", trustServerCertificate)
      .put("canary", canary);
  }

  private static void putIfPresent(JsonObject json, String key, String value) {
    if (value != null) {
      json.put(key, value);
    }
  }
}
