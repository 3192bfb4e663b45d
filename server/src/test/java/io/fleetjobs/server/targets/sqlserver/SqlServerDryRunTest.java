package io.fleetjobs.server.targets.sqlserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.targets.ScriptBatch;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a SQL Server dry run refuses before sending anything, read from a batch's words. Pure. */
class SqlServerDryRunTest {
  private final SqlServerDryRun dryRun = new SqlServerDryRun();

  private Optional<String> refusal(String sql) {
    return dryRun.refusal(new ScriptBatch(sql, 1, 10));
  }

  @Test
  void statements_that_cannot_run_in_a_user_transaction_are_refused_naming_their_line() {
    assertEquals(Optional.of("cannot be dry-run: runs outside a transaction (ALTER DATABASE at line 11)"),
      refusal("UPDATE t SET x = 1\nalter  database current SET RECOVERY SIMPLE"));
    for (String sql : List.of("CREATE DATABASE t2", "DROP DATABASE t2", "BACKUP LOG t1 TO DISK = 'x'",
      "RESTORE HEADERONLY FROM DISK = 'x'", "EXEC sp_configure 'x', 1; RECONFIGURE WITH OVERRIDE",
      "DBCC SHRINKDATABASE (t1)", "CREATE FULLTEXT INDEX ON t (c) KEY INDEX pk", "ALTER FULLTEXT CATALOG c REBUILD",
      "KILL 57", "ALTER SERVER CONFIGURATION SET HADR CLUSTER CONTEXT = LOCAL", "ALTER AVAILABILITY GROUP ag FAILOVER",
      "ALTER RESOURCE GOVERNOR RECONFIGURE", "IF 1 = 1 BEGIN BACKUP DATABASE t1 TO DISK = 'x' END")) {
      assertTrue(refusal(sql).orElse("").startsWith("cannot be dry-run: runs outside a transaction"), sql);
    }
  }

  @Test
  void the_scripts_commit_and_a_rollback_of_everything_are_refused_a_savepoints_rollback_is_not() {
    assertEquals(Optional.of("cannot be dry-run: ends the dry run's transaction (COMMIT TRANSACTION at line 12)"),
      refusal("BEGIN TRANSACTION\nUPDATE t SET x = 1\nCOMMIT TRANSACTION"));
    for (String sql : List.of("ROLLBACK", "ROLLBACK;", "ROLLBACK TRAN", "ROLLBACK WORK",
      "BEGIN TRY SELECT 1 END TRY BEGIN CATCH ROLLBACK TRANSACTION END CATCH", "IF @@ERROR <> 0 ROLLBACK\nPRINT 'x'")) {
      assertTrue(refusal(sql).orElse("").startsWith("cannot be dry-run: ends the dry run's transaction"), sql);
    }
    for (String sql : List.of("SAVE TRAN half; ROLLBACK TRAN half", "ROLLBACK TRANSACTION @savepoint",
      "ROLLBACK TRANSACTION [before load]")) {
      assertEquals(Optional.empty(), refusal(sql), sql);
    }
  }

  @Test
  void words_in_strings_comments_and_names_are_not_statements() {
    for (String sql : List.of("SELECT 'COMMIT' AS word", "SELECT N'BACKUP DATABASE x' AS word",
      "-- COMMIT at the end\nSELECT 1", "/* ROLLBACK /* nested */ KILL 1 */ SELECT 1", "SELECT [commit] FROM [backup]",
      "SELECT \"KILL\" FROM t", "SELECT x FROM dbo.restore", "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
      "CREATE DATABASE SCOPED CREDENTIAL c WITH IDENTITY = 'x'", "CREATE DATABASE AUDIT SPECIFICATION a")) {
      assertEquals(Optional.empty(), refusal(sql), sql);
    }
  }

  @Test
  void the_command_is_the_batchs_first_word_and_574_226_15002_mean_not_in_a_transaction() {
    assertEquals("UPDATE", dryRun.command(new ScriptBatch("-- first\n/* x */ update t SET x = 1", 1, 1)));
    for (int number : List.of(574, 226, 15002)) {
      assertTrue(dryRun.outsideATransaction(new SQLException("refused", "25000", number)), "error " + number);
    }
    assertEquals(false, dryRun.outsideATransaction(new SQLException("syntax", "42000", 102)));
  }
}
