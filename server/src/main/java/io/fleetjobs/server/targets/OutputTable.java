package io.fleetjobs.server.targets;

import java.util.UUID;

/**
 * Where a step's first result set goes, and which run and target the rows came from. {@code sslMode} is the output
 * setting's own TLS mode; null takes the agent's default for the output engine.
 */
public record OutputTable(String serverName, String databaseName, String schemaName, String tableName,
                          UUID jobExecutionId, String targetServer, String targetDatabase, String sslMode) {

  public OutputTable(String serverName, String databaseName, String schemaName, String tableName, UUID jobExecutionId,
                     String targetServer, String targetDatabase) {
    this(serverName, databaseName, schemaName, tableName, jobExecutionId, targetServer, targetDatabase, null);
  }
}
