package io.fleetjobs.server.targets;

import java.nio.charset.StandardCharsets;

/**
 * How a step's script runs on a target, beyond its text.
 *
 * @param actionType which client's rules cut the script into batches and statements
 * @param singleTransaction the step's transaction Script: all of the script or none of it, as psql
 *     --single-transaction runs a script; otherwise each statement (PostgreSQL) or batch (SQL Server) commits
 *     on its own unless the script opens a transaction itself
 * @param keepFirstResult whether the first result set is wanted (for an output table); when not, no row is kept
 * @param applicationName what the target shows for the session (pg_stat_activity.application_name,
 *     sys.dm_exec_sessions.program_name), so a DBA can tell the agent's sessions apart and end them
 * @param dryRun run the script inside a transaction that is rolled back, refusing what cannot run inside one;
 *     the result counts each statement's rows and keeps at most {@link #DRY_RUN_ROWS} rows of the first result
 *     set
 */
public record ScriptOptions(ActionType actionType, boolean singleTransaction, boolean keepFirstResult,
                            String applicationName, boolean dryRun) {
  /** How many rows of its first result set a dry run keeps: enough to see what a script would do. */
  public static final int DRY_RUN_ROWS = 20;
  /** Why a dry run on a driver without them sends nothing to the target; %s is the engine. */
  public static final String NOT_ON_THIS_ENGINE =
    "cannot be dry-run: this agent's %s driver runs no dry runs; nothing was sent to the target";
  /** Why a dry run refuses a statement that cannot run inside a transaction, whatever the engine's own words. */
  public static final String NOT_IN_A_TRANSACTION = "cannot be dry-run: runs outside a transaction";
  /** Why a MySQL dry run refuses a statement that would commit the dry run's transaction before it ran (DDL). */
  public static final String COMMITS_IMPLICITLY = "cannot be dry-run: commits implicitly";
  /** Why a dry run refuses the script's own COMMIT or ROLLBACK, which would end the dry run's transaction. */
  public static final String ENDS_THE_TRANSACTION = "cannot be dry-run: ends the dry run's transaction";
  /** What enumeration and output writes call their sessions. */
  public static final String AGENT_APPLICATION_NAME = "fleetjobs";
  /** PostgreSQL keeps 63 bytes of an application name (NAMEDATALEN - 1); SQL Server gets the same name. */
  static final int MAX_APPLICATION_NAME_BYTES = 63;

  public ScriptOptions(ActionType actionType, boolean singleTransaction, boolean keepFirstResult,
                       String applicationName) {
    this(actionType, singleTransaction, keepFirstResult, applicationName, false);
  }

  /** The same script run as a dry run. */
  public ScriptOptions asDryRun() {
    return new ScriptOptions(actionType, singleTransaction, true, applicationName, true);
  }

  /** fleetjobs/job/step, cut to 63 bytes of UTF-8 on a character boundary. */
  public static String applicationName(String jobName, String stepName) {
    String name = AGENT_APPLICATION_NAME + "/" + jobName + "/" + stepName;
    if (name.getBytes(StandardCharsets.UTF_8).length <= MAX_APPLICATION_NAME_BYTES) {
      return name;
    }
    int bytes = 0;
    int end = 0;
    while (end < name.length()) {
      int codePoint = name.codePointAt(end);
      int size = codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
      if (bytes + size > MAX_APPLICATION_NAME_BYTES) {
        break;
      }
      bytes += size;
      end += Character.charCount(codePoint);
    }
    return name.substring(0, end);
  }
}
