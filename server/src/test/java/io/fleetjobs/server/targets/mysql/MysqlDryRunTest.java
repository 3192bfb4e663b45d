package io.fleetjobs.server.targets.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which statements a MySQL or MariaDB dry run refuses before any statement runs. Pure. */
class MysqlDryRunTest {

  private static Optional<String> refusal(String sql) {
    return MysqlDryRun.refusal(new MysqlScript.Statement(1, sql, 7));
  }

  @Test
  void statements_that_commit_implicitly_are_refused_naming_their_line() {
    assertEquals(Optional.of("cannot be dry-run: commits implicitly (CREATE TABLE at line 7)"),
      refusal("-- a table\ncreate table t (x int)"));
    for (String sql : List.of("ALTER TABLE t ADD y int", "DROP VIEW v", "RENAME TABLE a TO b", "TRUNCATE TABLE t",
      "CREATE OR REPLACE VIEW v AS SELECT 1", "CREATE INDEX i ON t (x)", "CREATE USER u", "GRANT ALL ON *.* TO u",
      "REVOKE ALL ON *.* FROM u", "LOCK TABLES t WRITE", "UNLOCK TABLES", "START TRANSACTION", "BEGIN", "BEGIN WORK",
      "LOAD DATA INFILE 'x' INTO TABLE t", "ANALYZE TABLE t", "OPTIMIZE TABLE t", "REPAIR TABLE t",
      "SET autocommit = 1", "SET @@session.autocommit=ON", "SET sql_mode = '', autocommit = 1",
      "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`%`*/ /*!50003 TRIGGER tr BEFORE INSERT ON t FOR EACH ROW "
        + "SET @x = 1 */",
      "CREATE DEFINER = CURRENT_USER PROCEDURE p() SELECT 1", "SET PASSWORD = 'x'", "FLUSH TABLES")) {
      assertTrue(refusal(sql).orElse("").startsWith("cannot be dry-run: commits implicitly"), sql);
    }
    for (String sql : List.of("COMMIT", "ROLLBACK", "ROLLBACK WORK")) {
      assertTrue(refusal(sql).orElse("").startsWith("cannot be dry-run: ends the dry run's transaction"), sql);
    }
  }

  @Test
  void what_a_transaction_holds_runs() {
    for (String sql : List.of("UPDATE t SET x = 1", "CREATE TEMPORARY TABLE s (x int)",
      "CREATE OR REPLACE TEMPORARY TABLE s (x int)", "DROP TEMPORARY TABLE s", "SAVEPOINT a", "ROLLBACK TO SAVEPOINT a",
      "ROLLBACK WORK TO a", "RELEASE SAVEPOINT a", "SET autocommit = 0", "SET @create = 'DROP TABLE t'",
      "SELECT 'ALTER TABLE t' AS text", "# CREATE TABLE t\nSELECT 1", "BEGIN NOT ATOMIC SELECT 1; END",
      "ANALYZE SELECT * FROM t", "CALL refresh_totals()", "/*!40101 SET NAMES utf8mb4 */")) {
      assertEquals(Optional.empty(), refusal(sql), sql);
    }
  }
}
