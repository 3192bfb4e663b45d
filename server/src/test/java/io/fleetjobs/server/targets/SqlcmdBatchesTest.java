package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;
import java.util.List;
import org.junit.jupiter.api.Test;

/** sqlcmd's batch separator: GO alone on a line, never inside strings, identifiers or comments. */
class SqlcmdBatchesTest {

  private static List<String> sql(String script) {
    return SqlcmdBatches.split(script).stream().map(ScriptBatch::sql).toList();
  }

  @Test
  void go_lines_split_the_script_and_any_case_and_surrounding_blanks_count() {
    assertEquals(List.of("CREATE TABLE t (x int)", "INSERT INTO t VALUES (1)", "SELECT x FROM t"),
      sql("CREATE TABLE t (x int)\nGO\nINSERT INTO t VALUES (1)\n  go  \r\nSELECT x FROM t\nGo -- done\n"));
  }

  @Test
  void a_script_without_go_is_one_batch_and_go_at_the_end_adds_no_empty_batch() {
    assertEquals(List.of("SELECT 1;\nSELECT 2;"), sql("SELECT 1;\nSELECT 2;"));
    assertEquals(List.of("SELECT 1"), sql("SELECT 1\nGO"));
    assertEquals(List.of("SELECT 1"), sql("GO\n\nSELECT 1\nGO\nGO\n"));
  }

  @Test
  void go_with_a_count_repeats_the_batch() {
    List<ScriptBatch> batches = SqlcmdBatches.split("INSERT INTO t DEFAULT VALUES\nGO 3\nSELECT count(*) FROM t\nGO");
    assertEquals(List.of(3, 1), batches.stream().map(ScriptBatch::repeat).toList());
    InvalidInput zero = assertThrows(InvalidInput.class, () -> SqlcmdBatches.split("SELECT 1\nGO 0"));
    assertTrue(zero.getMessage().contains("line 2"), zero.getMessage());
  }

  @Test
  void go_inside_strings_and_quoted_or_bracketed_identifiers_does_not_split() {
    String strings = "SELECT 'it''s\nGO\nstill a string' AS s";
    assertEquals(List.of(strings), sql(strings));
    String identifiers = "SELECT 1 AS [odd]]\nGO\nname], 2 AS \"also\nGO\nodd\"";
    assertEquals(List.of(identifiers), sql(identifiers));
  }

  @Test
  void go_inside_comments_does_not_split_and_block_comments_nest() {
    String nested = "SELECT 1 /* outer /* inner */\nGO\nstill outer */\nGO\nSELECT 2";
    assertEquals(List.of("SELECT 1 /* outer /* inner */\nGO\nstill outer */", "SELECT 2"), sql(nested));
    assertEquals(List.of("SELECT 1 -- a quote ' in a comment\nSELECT 2"),
      sql("SELECT 1 -- a quote ' in a comment\nSELECT 2"), "a quote in a line comment opens no string");
  }

  @Test
  void go_within_a_word_or_a_line_of_code_is_not_a_separator() {
    String script = "SELECT 1 AS going\nGOTO label\nSELECT 2 GO\nGO;";
    assertEquals(List.of(script), sql(script));
  }

  @Test
  void each_batch_knows_its_first_line_in_the_script() {
    List<ScriptBatch> batches = SqlcmdBatches.split("SELECT 1\nGO\n\nSELECT 2\nGO\nSELECT 3");
    assertEquals(List.of(1, 4, 6), batches.stream().map(ScriptBatch::firstLine).toList());
  }

  @Test
  void setvar_defines_variables_for_the_lines_after_it_and_names_ignore_case() {
    assertEquals(List.of("USE [sales]\nSELECT '$(Later)', 'it''s'", "DELETE FROM t WHERE d < 30\n"), sql("""
      :setvar DatabaseName "sales"
      USE [$(databasename)]
      SELECT '$(Later)', 'it''s'
      GO
      :setvar Later soon
      :setVar Days 30
      DELETE FROM t WHERE d < $(Days)
      """));
  }

  @Test
  void on_error_says_whether_a_failing_batch_stops_the_script() {
    List<ScriptBatch> batches = SqlcmdBatches.split(":on error ignore\nDROP TABLE a\nGO\n:ON ERROR EXIT\nDROP TABLE b");
    assertEquals(List.of(true, false), batches.stream().map(ScriptBatch::continueOnError).toList());
    assertEquals(List.of(2, 5), batches.stream().map(ScriptBatch::firstLine).toList());
  }

  @Test
  void other_sqlcmd_commands_are_refused_naming_their_line_and_colons_in_code_are_not_commands() {
    InvalidInput include = assertThrows(InvalidInput.class, () -> SqlcmdBatches.split("PRINT 1\n:r .\\x.sql"));
    assertTrue(include.getMessage().contains("Line 2") && include.getMessage().contains(":r"), include.getMessage());
    InvalidInput shell = assertThrows(InvalidInput.class, () -> SqlcmdBatches.split("!!dir"));
    assertTrue(shell.getMessage().contains("Line 1"), shell.getMessage());
    assertThrows(InvalidInput.class, () -> SqlcmdBatches.split(":connect other"));
    assertEquals(List.of("SELECT 1\n:: not a command\n'\n:r inside a string\n'"),
      sql("SELECT 1\n:: not a command\n'\n:r inside a string\n'"));
  }
}
