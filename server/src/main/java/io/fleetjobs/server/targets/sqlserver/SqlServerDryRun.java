package io.fleetjobs.server.targets.sqlserver;

import io.fleetjobs.server.targets.ScriptBatch;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.jdbc.JdbcDryRun;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A SQL Server dry run: {@code SET IMPLICIT_TRANSACTIONS OFF; BEGIN TRANSACTION}, the batches, then ROLLBACK on
 * every path. What cannot run inside a user transaction (ALTER DATABASE, BACKUP, RECONFIGURE, ...) and the
 * script's own COMMIT, or a ROLLBACK that names no savepoint, are refused before anything is sent: read from the
 * words of every batch outside strings, quoted names and comments, procedure bodies included, since a procedure
 * the script defines may be run by it. Errors 574, 226 and 15002 (a statement or procedure not allowed in a
 * transaction) are the server refusing one the list missed; @@TRANCOUNT after each batch catches a COMMIT in
 * dynamic SQL or in an existing procedure.
 */
final class SqlServerDryRun implements JdbcDryRun {
  /** "... statement not allowed within multi-statement transaction", "... cannot be executed within a transaction". */
  private static final Set<Integer> NOT_IN_A_TRANSACTION = Set.of(574, 226, 15002);
  private static final Set<String> DATABASE_SCOPED = Set.of("SCOPED", "AUDIT", "ENCRYPTION");
  private static final Set<String> BACKUPS = Set.of("DATABASE", "LOG");
  private static final Set<String> RESTORES = Set.of("DATABASE", "LOG", "HEADERONLY", "FILELISTONLY", "LABELONLY",
    "VERIFYONLY", "REWINDONLY");
  private static final Set<String> FULLTEXT = Set.of("INDEX", "CATALOG", "STOPLIST");
  /** Server-level objects whose CREATE, ALTER and DROP cannot run in a user transaction. */
  private static final Set<String> SERVER_LEVEL = Set.of("SERVER", "AVAILABILITY", "RESOURCE", "ENDPOINT");
  /** Words that may follow ROLLBACK [TRANSACTION] and start the next statement, so ROLLBACK names no savepoint. */
  private static final Set<String> STATEMENT_WORDS = Set.of("ALTER", "BEGIN", "BREAK", "CLOSE", "COMMIT",
    "CONTINUE", "CREATE", "DEALLOCATE", "DECLARE", "DELETE", "DENY", "DROP", "ELSE", "END", "EXEC", "EXECUTE",
    "FETCH", "GOTO", "GRANT", "IF", "INSERT", "MERGE", "OPEN", "PRINT", "RAISERROR", "RETURN", "REVOKE",
    "ROLLBACK", "SAVE", "SELECT", "SET", "THROW", "TRUNCATE", "UPDATE", "USE", "WAITFOR", "WHILE", "WITH");

  /** One word of T-SQL, as written, upper case when bare; {@code line} counts from the batch's first line. */
  private record Token(String text, boolean bare, int line) {
    boolean is(String word) {
      return bare && text.equals(word);
    }
  }

  @Override
  public String begin() {
    return "SET IMPLICIT_TRANSACTIONS OFF; BEGIN TRANSACTION";
  }

  @Override
  public String rollback() {
    return "IF @@TRANCOUNT > 0 ROLLBACK TRANSACTION";
  }

  @Override
  public boolean stillOpen(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
         ResultSet count = statement.executeQuery("SELECT @@TRANCOUNT AS dry_run_transactions")) {
      return count.next() && count.getInt(1) > 0;
    }
  }

  @Override
  public boolean outsideATransaction(SQLException failure) {
    return NOT_IN_A_TRANSACTION.contains(failure.getErrorCode());
  }

  @Override
  public String command(ScriptBatch batch) {
    return tokens(batch.sql()).stream().filter(Token::bare).map(Token::text).findFirst().orElse("");
  }

  @Override
  public Optional<String> refusal(ScriptBatch batch) {
    List<Token> tokens = tokens(batch.sql());
    for (int i = 0; i < tokens.size(); i++) {
      Token token = tokens.get(i);
      if (!token.bare() || i > 0 && tokens.get(i - 1).text().equals(".")) {
        continue;
      }
      String why = why(tokens, i);
      if (why != null) {
        String next = word(tokens, i + 1);
        String command = token.text() + (next.isEmpty() || why.equals(ScriptOptions.ENDS_THE_TRANSACTION)
          && token.is("ROLLBACK") ? "" : " " + next);
        return Optional.of(why + " (" + command + " at line " + (batch.firstLine() + token.line()) + ")");
      }
    }
    return Optional.empty();
  }

  /** Why the statement that starts at word {@code i} is refused, or null. */
  private static String why(List<Token> tokens, int i) {
    String next = word(tokens, i + 1);
    String after = word(tokens, i + 2);
    boolean refused = switch (tokens.get(i).text()) {
      case "ALTER" -> next.equals("DATABASE") || FULLTEXT.contains(after) && next.equals("FULLTEXT")
        || SERVER_LEVEL.contains(next) || next.equals("EVENT") && after.equals("SESSION");
      case "CREATE", "DROP" -> next.equals("DATABASE") && !DATABASE_SCOPED.contains(after)
        || next.equals("FULLTEXT") && FULLTEXT.contains(after) || SERVER_LEVEL.contains(next);
      case "BACKUP" -> BACKUPS.contains(next);
      case "RESTORE" -> RESTORES.contains(next);
      case "DBCC" -> next.startsWith("SHRINK");
      // Reserved words: bare, they can only start their statements.
      case "RECONFIGURE", "KILL" -> true;
      default -> false;
    };
    if (refused) {
      return ScriptOptions.NOT_IN_A_TRANSACTION;
    }
    if (tokens.get(i).is("COMMIT") || tokens.get(i).is("ROLLBACK") && !namesASavepoint(tokens, i)) {
      return ScriptOptions.ENDS_THE_TRANSACTION;
    }
    return null;
  }

  /**
   * ROLLBACK TRANSACTION name rolls back to a savepoint (or fails, naming none), never ending the dry run's
   * transaction, whose outermost BEGIN has no name; a bare ROLLBACK ends it.
   */
  private static boolean namesASavepoint(List<Token> tokens, int rollback) {
    int at = rollback + 1;
    if (at < tokens.size() && (tokens.get(at).is("TRAN") || tokens.get(at).is("TRANSACTION"))) {
      at++;
    }
    if (at >= tokens.size()) {
      return false;
    }
    Token name = tokens.get(at);
    return !name.bare() ? name.text().startsWith("[") || name.text().startsWith("\"") || name.text().startsWith("@")
      : !STATEMENT_WORDS.contains(name.text()) && !name.text().equals("WORK");
  }

  private static String word(List<Token> tokens, int i) {
    return i < tokens.size() && tokens.get(i).bare() ? tokens.get(i).text() : "";
  }

  /**
   * The batch's words and marks outside comments: bare words upper case, and strings, [names], "names",
   * @variables, numbers and punctuation as written (not bare). Block comments nest, as in T-SQL.
   */
  static List<Token> tokens(String sql) {
    List<Token> tokens = new ArrayList<>();
    int line = 0;
    int i = 0;
    while (i < sql.length()) {
      char c = sql.charAt(i);
      int start = i;
      int startLine = line;
      if (c == '\n') {
        line++;
        i++;
      } else if (Character.isWhitespace(c)) {
        i++;
      } else if (sql.startsWith("--", i)) {
        while (i < sql.length() && sql.charAt(i) != '\n') {
          i++;
        }
      } else if (sql.startsWith("/*", i)) {
        int depth = 0;
        while (i < sql.length()) {
          if (sql.startsWith("/*", i)) {
            depth++;
            i += 2;
          } else if (sql.startsWith("*/", i)) {
            depth--;
            i += 2;
            if (depth == 0) {
              break;
            }
          } else {
            line += sql.charAt(i) == '\n' ? 1 : 0;
            i++;
          }
        }
      } else if (c == '\'' || c == '"' || c == '[' || (c == 'N' || c == 'n') && i + 1 < sql.length()
        && sql.charAt(i + 1) == '\'') {
        int open = c == 'N' || c == 'n' ? i + 1 : i;
        char close = sql.charAt(open) == '[' ? ']' : sql.charAt(open);
        i = open + 1;
        while (i < sql.length()) {
          if (sql.charAt(i) == close) {
            if (i + 1 < sql.length() && sql.charAt(i + 1) == close) {
              i += 2;
              continue;
            }
            i++;
            break;
          }
          line += sql.charAt(i) == '\n' ? 1 : 0;
          i++;
        }
        tokens.add(new Token(sql.substring(start, i), false, startLine));
      } else if (Character.isLetter(c) || c == '_' || c == '@' || c == '#') {
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || "_@#$".indexOf(sql.charAt(i)) >= 0)) {
          i++;
        }
        String word = sql.substring(start, i);
        boolean bare = c != '@' && c != '#';
        tokens.add(new Token(bare ? word.toUpperCase(Locale.ROOT) : word, bare, startLine));
      } else if (Character.isDigit(c)) {
        while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
          i++;
        }
        tokens.add(new Token(sql.substring(start, i), false, startLine));
      } else {
        i++;
        tokens.add(new Token(String.valueOf(c), false, startLine));
      }
    }
    return tokens;
  }
}
