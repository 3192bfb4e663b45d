package io.fleetjobs.server.targets.mysql;

import io.fleetjobs.server.targets.ScriptOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which statements a MySQL or MariaDB dry run refuses, read from the whole script before any of it runs. A
 * statement that commits implicitly (DDL, account management, table locks, transaction control, LOAD DATA, table
 * maintenance, {@code SET autocommit = 1}) would commit the dry run's transaction, and everything before it, for
 * real; a bare ROLLBACK would end it, and what follows would run in autocommit. Executable comments
 * ({@code /*!50003 CREATE *}{@code /}) are read as the server reads them. Pure.
 */
final class MysqlDryRun {
  /** First words of statements that commit implicitly whatever follows ("Statements That Cause an Implicit Commit"). */
  private static final Set<String> ALWAYS_COMMIT = Set.of("alter", "rename", "truncate", "grant", "revoke", "lock",
    "unlock", "load", "analyze", "optimize", "repair", "check", "cache", "flush", "reset", "install", "uninstall",
    "start", "stop", "xa", "change");
  /** MariaDB's ANALYZE of a query runs the query and shows its plan: it commits nothing. */
  private static final Set<String> ANALYZED_QUERIES = Set.of("select", "insert", "update", "delete", "replace",
    "format");
  private static final Pattern EXECUTABLE_COMMENT = Pattern.compile("/\\*M?!\\d*");
  private static final Pattern AUTOCOMMIT = Pattern.compile("(?:^|,)\\s*(?:(?:global|session|local|persist)\\s+"
    + "|@@(?:global\\.|session\\.|local\\.)?)?autocommit\\s*:?=\\s*([^,\\s]+)");
  private static final Set<String> AUTOCOMMIT_OFF = Set.of("0", "off", "false", "'0'", "'off'");

  private MysqlDryRun() {
  }

  /** Why the statement cannot be dry-run, naming it and its line; empty when it can. */
  static Optional<String> refusal(MysqlScript.Statement statement) {
    String text = words(statement.sql());
    List<String> words = Arrays.stream(text.split("[^a-z0-9_@.]+")).filter(w -> !w.isEmpty()).toList();
    if (words.isEmpty()) {
      return Optional.empty();
    }
    String first = words.get(0);
    String second = words.size() > 1 ? words.get(1) : "";
    String why = null;
    if (first.equals("analyze") && ANALYZED_QUERIES.contains(second)) {
      why = null;
    } else if (ALWAYS_COMMIT.contains(first)) {
      why = ScriptOptions.COMMITS_IMPLICITLY;
    } else if (first.equals("commit")) {
      why = ScriptOptions.ENDS_THE_TRANSACTION;
    } else if (first.equals("create")) {
      int next = second.equals("or") && words.size() > 3 ? 3 : 1;
      why = next < words.size() && words.get(next).equals("temporary") ? null : ScriptOptions.COMMITS_IMPLICITLY;
    } else if (first.equals("drop")) {
      why = second.equals("temporary") || second.equals("prepare") ? null : ScriptOptions.COMMITS_IMPLICITLY;
    } else if (first.equals("begin")) {
      // BEGIN NOT ATOMIC is MariaDB's anonymous block, not a transaction.
      why = second.equals("not") ? null : ScriptOptions.COMMITS_IMPLICITLY;
    } else if (first.equals("rollback")) {
      why = words.contains("to") ? null : ScriptOptions.ENDS_THE_TRANSACTION;
    } else if (first.equals("set")) {
      why = second.equals("password") || setsAutocommit(text.substring(3)) ? ScriptOptions.COMMITS_IMPLICITLY : null;
    }
    if (why == null) {
      return Optional.empty();
    }
    String command = (first + (second.isEmpty() ? "" : " " + second)).toUpperCase(Locale.ROOT);
    return Optional.of(why + " (" + command + " at line " + statement.line() + ")");
  }

  private static boolean setsAutocommit(String assignments) {
    Matcher matcher = AUTOCOMMIT.matcher(assignments);
    while (matcher.find()) {
      if (!AUTOCOMMIT_OFF.contains(matcher.group(1))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The statement as the server reads it, lower case: comments gone, executable comments opened, quoted strings
   * and names kept as they are.
   */
  static String words(String sql) {
    StringBuilder out = new StringBuilder(sql.length());
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      if (c == '\'' || c == '"' || c == '`') {
        int end = i + 1;
        while (end < sql.length() && sql.charAt(end) != c) {
          end += sql.charAt(end) == '\\' && c != '`' ? 2 : 1;
        }
        out.append(sql, i, Math.min(end + 1, sql.length()));
        i = end + 1;
      } else if (sql.startsWith("/*", i)) {
        Matcher executable = EXECUTABLE_COMMENT.matcher(sql).region(i, sql.length());
        if (executable.lookingAt()) {
          // Its text is the server's to read; only the markers go.
          out.append(' ');
          i = executable.end();
        } else {
          int end = sql.indexOf("*/", i + 2);
          out.append(' ');
          i = end < 0 ? sql.length() : end + 2;
        }
      } else if (sql.startsWith("*/", i)) {
        out.append(' ');
        i += 2;
      } else if (c == '#' || sql.startsWith("-- ", i) || sql.startsWith("--\t", i) || sql.startsWith("--\n", i)) {
        int end = sql.indexOf('\n', i);
        out.append(' ');
        i = end < 0 ? sql.length() : end;
      } else {
        out.append(Character.toLowerCase(c));
        i++;
      }
    }
    return out.toString().strip();
  }
}
