package io.fleetjobs.server.targets.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.core.Parser;

/** psql's statement boundaries on hostile scripts: a semicolon ends a statement only in code. Pure. */
class PsqlScriptTest {

  private static List<String> statements(String script) {
    return PsqlScript.parse(script, false).batches().stream()
      .flatMap(batch -> batch.statements().stream())
      .map(PsqlScript.Statement::sql)
      .toList();
  }

  @Test
  void semicolons_end_statements_and_a_last_statement_needs_none() {
    assertEquals(List.of("VACUUM", "ANALYZE"), statements("VACUUM;\nANALYZE;"));
    assertEquals(List.of("SELECT 1", "SELECT 2"), statements("SELECT 1;SELECT 2"));
    assertEquals(List.of("SELECT 1", "SELECT 2"), statements(";;SELECT 1;;\n;  ;SELECT 2;;"), "empty ones are none");
  }

  @Test
  void semicolons_inside_standard_and_escape_strings_do_not_split() {
    assertEquals(List.of("SELECT 'a;b', 'it''s;'", "SELECT 2"), statements("SELECT 'a;b', 'it''s;'; SELECT 2"));
    assertEquals(List.of("SELECT E'it\\'s; still', e'\\\\'", "SELECT 2"),
      statements("SELECT E'it\\'s; still', e'\\\\'; SELECT 2"), "E'' strings take backslash escapes");
    assertEquals(List.of("SELECT 'C:\\'", "SELECT 2"), statements("SELECT 'C:\\'; SELECT 2"),
      "in a standard string a backslash is just a character");
    assertEquals(List.of("SELECT some'x;'", "SELECT 2"), statements("SELECT some'x;'; SELECT 2"),
      "the E of a longer word opens no escape string");
  }

  @Test
  void dollar_quoted_bodies_with_semicolons_and_other_tags_inside_are_one_statement() {
    String function = """
      CREATE FUNCTION bump() RETURNS trigger LANGUAGE plpgsql AS $body$
      BEGIN
        NEW.note := $$;'$$ || $x$ $$ ; $x$;
        RETURN NEW;
      END $body$""";
    assertEquals(List.of(function, "SELECT 1"), statements(function + ";\nSELECT 1;"));
    assertEquals(List.of("DO $$ BEGIN RAISE NOTICE 'a;b'; END $$", "SELECT $1"),
      statements("DO $$ BEGIN RAISE NOTICE 'a;b'; END $$; SELECT $1;"), "$1 is a parameter, not a quote");
    assertEquals(List.of("SELECT a$b$ FROM t", "SELECT 2"), statements("SELECT a$b$ FROM t; SELECT 2"),
      "a $ inside a word opens nothing");
  }

  @Test
  void quoted_identifiers_keep_semicolons_and_quotes() {
    assertEquals(List.of("CREATE TABLE \"a;b\"\"'\" (x int)", "SELECT 2"),
      statements("CREATE TABLE \"a;b\"\"'\" (x int); SELECT 2"));
  }

  @Test
  void comments_hide_semicolons_and_quotes_and_block_comments_nest() {
    assertEquals(List.of("SELECT 1 /* outer /* inner; */ still; ' outer */ + 1", "SELECT 2"),
      statements("SELECT 1 /* outer /* inner; */ still; ' outer */ + 1; SELECT 2"));
    assertEquals(List.of("SELECT 1 -- it's; a comment\n  + 1", "SELECT 2"),
      statements("SELECT 1 -- it's; a comment\n  + 1; SELECT 2"));
    assertEquals(List.of("/* kept */ SELECT 1"), statements("-- dropped, as psql drops it\n/* kept */ SELECT 1;"));
    assertEquals(List.of("SELECT 1"), statements("SELECT 1; -- the end\n/* really */"), "comments alone run nothing");
  }

  @Test
  void parentheses_and_sql_standard_routine_bodies_keep_their_semicolons() {
    String rule = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))";
    assertEquals(List.of(rule, "SELECT 2"), statements(rule + "; SELECT 2"));
    String atomic = """
      CREATE OR REPLACE FUNCTION sign_of(x int) RETURNS text LANGUAGE sql
      BEGIN ATOMIC
        SELECT CASE WHEN x < 0 THEN 'negative' ELSE 'not negative' END;
      END""";
    assertEquals(List.of(atomic, "VACUUM", "SELECT 'begin; end'"),
      statements(atomic + ";\nVACUUM;\nSELECT 'begin; end';"), "splitting goes on after the body's END");
    assertEquals(List.of("BEGIN", "SELECT 1", "END"), statements("BEGIN; SELECT 1; END;"),
      "a transaction block is no routine body");
  }

  @Test
  void each_statement_knows_its_number_offset_and_first_line() {
    String script = "-- header\nCREATE TABLE t (x int);\n\n  INSERT INTO t\n  VALUES (1);\nSELECT 1";
    List<PsqlScript.Statement> all = PsqlScript.parse(script, false).batches().get(0).statements();
    assertEquals(List.of(1, 2, 3), all.stream().map(PsqlScript.Statement::number).toList());
    assertEquals(List.of(2, 4, 6), all.stream().map(PsqlScript.Statement::line).toList());
    all.forEach(s -> assertEquals(s.sql(), script.substring(s.offset(), s.offset() + s.sql().length())));
  }

  @Test
  void a_servers_error_position_becomes_a_line_of_the_script() {
    String script = "SELECT 1;\nSELECT 'ä😀',\n  nonsense(\n  1);";
    PsqlScript parsed = PsqlScript.parse(script, false);
    PsqlScript.Statement second = parsed.batches().get(0).statements().get(1);
    int position = second.sql().codePointCount(0, second.sql().indexOf("nonsense")) + 1;
    assertEquals(3, parsed.lineOf(second, Integer.toString(position)), "positions count characters, not UTF-16 units");
    assertEquals(2, parsed.lineOf(second, null));
    assertEquals(2, parsed.lineOf(second, "9999"), "a position outside the statement falls back to its line");
  }

  @Test
  void one_statement_run_once_is_single() {
    assertTrue(PsqlScript.parse("  SELECT 1;  -- done", false).single().isPresent());
    assertTrue(PsqlScript.parse("SELECT 1; SELECT 2", false).single().isEmpty());
    assertTrue(PsqlScript.parse("SELECT 1\nGO 2", true).single().isEmpty());
    assertTrue(PsqlScript.parse("-- nothing", false).batches().isEmpty());
  }

  @Test
  void go_lines_split_batches_only_when_asked_and_only_in_code() {
    String script = """
      CREATE TABLE t (x int)
      GO
      INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)
        go 3 -- three times
      SELECT $$
      GO
      $$, '
      GO
      ' /*
      GO
      */""";
    PsqlScript batched = PsqlScript.parse(script, true);
    assertEquals(List.of(1, 3, 1), batched.batches().stream().map(PsqlScript.Batch::repeat).toList());
    assertEquals(List.of(List.of(1), List.of(2, 3), List.of(4)), batched.batches().stream()
      .map(b -> b.statements().stream().map(PsqlScript.Statement::number).toList()).toList());
    assertEquals(5, batched.batches().get(2).statements().get(0).line());
    assertEquals(List.of("CREATE TABLE t (x int)\nGO\nINSERT INTO t VALUES (1)",
        script.substring(script.indexOf("INSERT INTO t VALUES (2)"))),
      statements(script), "psql knows no GO: it is part of a statement");
    InvalidInput zero = assertThrows(InvalidInput.class, () -> PsqlScript.parse("SELECT 1\nGO 0", true));
    assertTrue(zero.getMessage().contains("line 2"), zero.getMessage());
  }

  /**
   * pgjdbc's splitter, a maintained one, is the second opinion: on scripts without what it gets wrong
   * (statements after a BEGIN ATOMIC body, ??) or keeps (leading -- comments), both cut the same statements.
   * Only this test touches that parser, which pgjdbc does not count as public API.
   */
  @Test
  void agrees_with_pgjdbcs_splitter_where_that_splitter_is_right() throws SQLException {
    List<String> scripts = List.of(
      "VACUUM;\nANALYZE;",
      "SELECT 'a;b', E'it\\'s;', \"x;\"\"y\" FROM t; SELECT 'it''s'",
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN $$;$$::int; END $body$; SELECT f()",
      "SELECT 1 /* a /* nested; */ b; */; SELECT 2 -- trailing; comment\n;",
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 3",
      "SELECT $1, a$b$ FROM t;;; SELECT 4;\n");
    for (String script : scripts) {
      List<String> theirs = Parser.parseJdbcSql(script, true, false, true, false, false).stream()
        .map(query -> query.nativeSql.strip())
        .toList();
      assertEquals(theirs, statements(script), script);
    }
  }

  @Test
  void unterminated_quotes_and_comments_run_to_the_end_for_the_server_to_report() {
    assertEquals(List.of("SELECT 'open; SELECT 2"), statements("SELECT 'open; SELECT 2"));
    assertEquals(List.of("SELECT $a$ open; SELECT 2"), statements("SELECT $a$ open; SELECT 2"));
    assertEquals(List.of("SELECT 1 /* open; SELECT 2"), statements("SELECT 1 /* open; SELECT 2"));
  }
}
