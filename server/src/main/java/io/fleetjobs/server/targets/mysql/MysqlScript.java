package io.fleetjobs.server.targets.mysql;

import java.util.ArrayList;
import java.util.List;

/**
 * A MySQL or MariaDB script cut into statements where the mysql client cuts it: at the delimiter (a semicolon until
 * a {@code DELIMITER} line names another, so that procedures, functions and triggers with semicolons in their
 * bodies can be defined), outside quoted strings ('…', "…", with backslash escapes and doubled quotes), quoted
 * identifiers (`…`) and comments (-- followed by a space, # to the end of the line, and block comments).
 * Executable comments ({@code /*!80000 … *}{@code /}) stay in their statement, for the server to read. A part
 * holding only comments and blanks is not a statement. Pure.
 *
 * @param statements in order, each without its delimiter
 */
public record MysqlScript(List<Statement> statements) {

  /**
   * @param number its place in the script, from 1
   * @param sql its text, without the delimiter that ends it
   * @param line the line of its first word, from 1
   */
  public record Statement(int number, String sql, int line) {
  }

  public static MysqlScript parse(String script) {
    return new MysqlScript(new Lexer(script).statements());
  }

  private static final class Lexer {
    private final String text;
    private final List<Statement> statements = new ArrayList<>();
    private String delimiter = ";";
    private int position;
    private int line = 1;
    /** Where the statement being read starts, and the line of its first word (0 while it has none). */
    private int start;
    private int startLine;

    Lexer(String text) {
      this.text = text;
    }

    List<Statement> statements() {
      while (position < text.length()) {
        if (atLineStart() && delimiterCommand()) {
          continue;
        }
        if (text.startsWith(delimiter, position)) {
          finish(position);
          position += delimiter.length();
          start = position;
          continue;
        }
        char c = text.charAt(position);
        if (c == '\'' || c == '"' || c == '`') {
          word();
          quoted(c);
        } else if (c == '#' || (text.startsWith("--", position) && (position + 2 == text.length()
          || Character.isWhitespace(text.charAt(position + 2))))) {
          skipToLineEnd();
        } else if (text.startsWith("/*", position)) {
          if (text.startsWith("/*!", position) || text.startsWith("/*+", position)) {
            word();
          }
          block();
        } else {
          if (!Character.isWhitespace(c)) {
            word();
          }
          advance();
        }
      }
      finish(text.length());
      return statements;
    }

    /**
     * A DELIMITER line, which the client reads itself and never sends: {@code DELIMITER //} makes {@code //} the
     * delimiter from the next line on. Only at the start of a line with no statement begun, as the client reads it.
     */
    private boolean delimiterCommand() {
      if (startLine != 0) {
        return false;
      }
      int at = position;
      while (at < text.length() && (text.charAt(at) == ' ' || text.charAt(at) == '\t')) {
        at++;
      }
      String keyword = "delimiter";
      if (!text.regionMatches(true, at, keyword, 0, keyword.length()) || at + keyword.length() >= text.length()
        || !Character.isWhitespace(text.charAt(at + keyword.length()))) {
        return false;
      }
      int end = text.indexOf('\n', at);
      String rest = text.substring(at + keyword.length(), end < 0 ? text.length() : end).strip();
      if (rest.isEmpty()) {
        throw new IllegalArgumentException("DELIMITER at line " + line + " names no delimiter.");
      }
      delimiter = rest.split("\\s+")[0];
      position = end < 0 ? text.length() : end + 1;
      if (end >= 0) {
        line++;
      }
      start = position;
      return true;
    }

    private boolean atLineStart() {
      return position == 0 || text.charAt(position - 1) == '\n';
    }

    private void quoted(char quote) {
      advance();
      while (position < text.length()) {
        char c = text.charAt(position);
        if (c == '\\' && quote != '`' && position + 1 < text.length()) {
          advance();
          advance();
        } else if (c == quote) {
          advance();
          if (position < text.length() && text.charAt(position) == quote) {
            advance();
          } else {
            return;
          }
        } else {
          advance();
        }
      }
      throw new IllegalArgumentException("A quoted string or name that starts at line " + startLine
        + " is not closed.");
    }

    private void block() {
      int opened = line;
      position += 2;
      int end = text.indexOf("*/", position);
      if (end < 0) {
        throw new IllegalArgumentException("A comment that starts at line " + opened + " is not closed.");
      }
      while (position < end + 2) {
        advance();
      }
    }

    private void skipToLineEnd() {
      while (position < text.length() && text.charAt(position) != '\n') {
        position++;
      }
    }

    private void word() {
      if (startLine == 0) {
        startLine = line;
      }
    }

    private void advance() {
      if (text.charAt(position) == '\n') {
        line++;
      }
      position++;
    }

    private void finish(int end) {
      if (startLine != 0) {
        String sql = text.substring(start, end).strip();
        if (!sql.isEmpty()) {
          statements.add(new Statement(statements.size() + 1, sql, startLine));
        }
      }
      startLine = 0;
    }
  }
}
