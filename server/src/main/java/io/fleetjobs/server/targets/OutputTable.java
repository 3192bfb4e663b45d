package io.fleetjobs.server.targets;

import java.util.UUID;

/** Where a step's first result set goes, and which run and target the rows came from. */
public record OutputTable(String serverName, String databaseName, String schemaName, String tableName,
                          UUID jobExecutionId, String targetServer, String targetDatabase) {
}
