package io.fleetjobs.server.targets;

import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One database a step runs on, with the member that brought it in. {@code serverKey} is the server as resolved
 * (see {@link ServerKeys}); {@code parallelGroup} is what a step's maxParallelism counts per: the server, or the
 * elastic pool on SQL Server. {@code connection} is that member's, with the TLS mode in force made explicit.
 */
public record ResolvedTarget(String targetType, UUID targetId, String engine, String serverName, String serverKey,
                             String databaseName, String parallelGroup, ConnectionSettings connection) {

  /** The shape jobs_internal.add_targets reads. */
  public JsonObject toSqlJson() {
    return new JsonObject()
      .put("target_type", targetType)
      .put("target_id", targetId == null ? null : targetId.toString())
      .put("engine", engine)
      .put("server_name", serverName)
      .put("server_key", serverKey)
      .put("database_name", databaseName)
      .put("parallel_group", parallelGroup)
      .put("trust_server_certificate", connection.trustServerCertificate())
      .put("ssl_mode", connection.sslMode())
      .put("authentication", connection.authentication());
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("type", targetType)
      .put("targetId", targetId == null ? null : targetId.toString())
      .put("engine", engine)
      .put("serverName", serverName)
      .put("databaseName", databaseName)
      .put("sslMode", connection.sslMode());
  }
}
