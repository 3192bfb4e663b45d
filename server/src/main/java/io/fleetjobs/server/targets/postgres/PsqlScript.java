package io.fleetjobs.server.targets.postgres;

import io.fleetjobs.server.targets.SqlcmdBatches;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A PostgreSQL script cut into statements where psql cuts it (its lexer, psqlscan.l): at a semicolon outside
 * single-quoted strings ('it''s', E'it\'s'), dollar-quoted strings ($$…$$, $tag$…$tag$), quoted identifiers,
 * comments (-- to the end of the line, and block comments, which nest), parentheses, and the BEGIN ATOMIC …
 * END body of a CREATE FUNCTION or PROCEDURE. Leading -- comments belong to no statement, as in psql; a part
 * holding only comments is not a statement. With sqlcmd's batch separators on (the TSql action type), a line
 * holding only GO, outside any string or comment, also ends a batch, and GO n runs it n times. Pure.
 *
 * <p>Why not pgjdbc's {@code Parser.parseJdbcSql}: its authors say it is not public API, it rewrites
 * {@code ??} to {@code ?} (a JDBC escape, not SQL), it gives no offsets to map the server's error positions
 * with, and once it has seen BEGIN ATOMIC it never splits again. psqlscan.l's rules are few and are the
 * definition this class follows.
 *
 * @param text the script as given; offsets and lines refer to it
 */
public record PsqlScript(String text, List<Batch> batches) {

  /**
   * @param number its place in the script, from 1
   * @param sql its text, without the semicolon that ends it
   * @param offset where that text starts in the script
   * @param line the line of its first word, from 1
   * @param leadingWords its first two words, lower case ("rollback to", "vacuum"): what kind of statement it is
   */
  public record Statement(int number, String sql, int offset, int line, String leadingWords) {
  }

  /** Statements run in order, {@code repeat} times (GO n). */
  public record Batch(List<Statement> statements, int repeat) {
  }

  /** @param goSeparators whether a line holding only GO (or GO n) ends a batch, as in sqlcmd */
  public static PsqlScript parse(String script, boolean goSeparators) {
    return new PsqlScript(script, new Lexer(script, goSeparators).batches());
  }

  /** The statement when the script is exactly one, run once. */
  public Optional<Statement> single() {
    return batches.size() == 1 && batches.get(0).repeat() == 1 && batches.get(0).statements().size() == 1
      ? Optional.of(batches.get(0).statements().get(0))
      : Optional.empty();
  }

  /**
   * The line of a position the server reported in an error: 1-based, in characters (code points) of the
   * statement's text as sent. Without a usable position, the statement's own line.
   */
  public int lineOf(Statement statement, String position) {
    try {
      int index = statement.sql().offsetByCodePoints(0, Integer.parseInt(position) - 1);
      int line = 1;
      for (int i = 0; i < statement.offset() + index; i++) {
        if (text.charAt(i) == '\n') {
          line++;
        }
      }
      return line;
    } catch (RuntimeException e) {
      return statement.line();
    }
  }

  /** One pass over the script: tokens are skipped whole, so a semicolon or GO is only ever seen in code. */
  private static final class Lexer {
    /** The words psql looks for at the start of a statement to know a CREATE FUNCTION or PROCEDURE. */
    private static final Set<String> ROUTINE_WORDS = Set.of("create", "or", "replace", "function", "procedure");

    private final String text;
    private final boolean goSeparators;
    private final List<Batch> batches = new ArrayList<>();
    private List<Statement> statements = new ArrayList<>();
    private int count;
    /** Where the current statement's text starts (its first word or block comment), or -1. */
    private int start = -1;
    private int firstLine = -1;
    private int parens;
    /** BEGIN (ATOMIC) … END depth inside a CREATE FUNCTION or PROCEDURE, CASE … END within it included. */
    private int begins;
    private int words;
    private final char[] leadingWords = new char[4];
    private final StringBuilder firstWords = new StringBuilder();
    private int line = 1;
    private int lineCursor;

    Lexer(String text, boolean goSeparators) {
      this.text = text;
      this.goSeparators = goSeparators;
    }

    List<Batch> batches() {
      int i = 0;
      while (i < text.length()) {
        if (goSeparators && (i == 0 || text.charAt(i - 1) == '\n')) {
          int end = text.indexOf('\n', i);
          end = end < 0 ? text.length() : end;
          OptionalInt repeat = SqlcmdBatches.separator(text.substring(i, end), lineAt(i));
          if (repeat.isPresent()) {
            endStatement(i);
            endBatch(repeat.getAsInt());
            i = end + 1;
            continue;
          }
        }
        i = token(i);
      }
      endStatement(text.length());
      endBatch(1);
      return List.copyOf(batches);
    }

    /** Reads the token at {@code i}; returns where the next one starts. */
    private int token(int i) {
      char c = text.charAt(i);
      char next = i + 1 < text.length() ? text.charAt(i + 1) : '\0';
      if (isSpace(c)) {
        return i + 1;
      }
      if (c == '-' && next == '-') {
        return lineCommentEnd(i);
      }
      if (c == '/' && next == '*') {
        if (start < 0) {
          start = i;
        }
        return blockCommentEnd(i);
      }
      if (c == ';' && parens == 0 && begins == 0) {
        endStatement(i);
        return i + 1;
      }
      if (start < 0) {
        start = i;
      }
      if (firstLine < 0) {
        firstLine = lineAt(i);
      }
      return switch (c) {
        case '\'' -> quotedEnd(i, '\'', false);
        case '"' -> quotedEnd(i, '"', false);
        case '$' -> dollarQuotedEnd(i);
        case '(' -> {
          parens++;
          yield i + 1;
        }
        case ')' -> {
          parens = Math.max(0, parens - 1);
          yield i + 1;
        }
        default -> isIdentifierStart(c) ? wordEnd(i) : isDigit(c) ? numberEnd(i) : i + 1;
      };
    }

    /** psql ends a -- comment at the end of its line, \r or \n. */
    private int lineCommentEnd(int i) {
      int end = i;
      while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
      }
      return end;
    }

    /** Block comments nest, as in PostgreSQL's own lexer. */
    private int blockCommentEnd(int i) {
      int depth = 0;
      int j = i;
      while (j < text.length()) {
        char c = text.charAt(j);
        char next = j + 1 < text.length() ? text.charAt(j + 1) : '\0';
        if (c == '/' && next == '*') {
          depth++;
          j += 2;
        } else if (c == '*' && next == '/') {
          depth--;
          j += 2;
          if (depth == 0) {
            return j;
          }
        } else {
          j++;
        }
      }
      return j;
    }

    /**
     * A doubled quote stays inside ('it''s', "a""b"). In an E'…' string a backslash escapes the next character;
     * elsewhere it is an ordinary character, as with standard_conforming_strings on (PostgreSQL's default).
     */
    private int quotedEnd(int i, char quote, boolean backslashEscapes) {
      int j = i + 1;
      while (j < text.length()) {
        char c = text.charAt(j);
        if (backslashEscapes && c == '\\') {
          j += 2;
        } else if (c == quote) {
          if (j + 1 < text.length() && text.charAt(j + 1) == quote) {
            j += 2;
          } else {
            return j + 1;
          }
        } else {
          j++;
        }
      }
      return text.length();
    }

    /**
     * $$ or $tag$ opens a string that only the same tag closes; a tag cannot start with a digit, so $1 is a
     * parameter. A $ inside a word never gets here: words take their $ characters along.
     */
    private int dollarQuotedEnd(int i) {
      int j = i + 1;
      if (j < text.length() && isIdentifierStart(text.charAt(j))) {
        while (j < text.length() && (isIdentifierStart(text.charAt(j)) || isDigit(text.charAt(j)))) {
          j++;
        }
      }
      if (j >= text.length() || text.charAt(j) != '$') {
        return i + 1;
      }
      String tag = text.substring(i, j + 1);
      int close = text.indexOf(tag, j + 1);
      return close < 0 ? text.length() : close + tag.length();
    }

    /**
     * An identifier or key word. E'…' is an escape string. psql's heuristic for SQL-standard routine bodies:
     * in a statement that starts CREATE [OR REPLACE] FUNCTION|PROCEDURE, BEGIN opens a body that END closes
     * (CASE … END inside it too), and semicolons inside do not end the statement.
     */
    private int wordEnd(int i) {
      int end = i + 1;
      while (end < text.length() && isIdentifierPart(text.charAt(end))) {
        end++;
      }
      String word = text.substring(i, end).toLowerCase(Locale.ROOT);
      if (word.equals("e") && end < text.length() && text.charAt(end) == '\'') {
        return quotedEnd(end, '\'', true);
      }
      if (words == 0) {
        Arrays.fill(leadingWords, '\0');
        firstWords.setLength(0);
      }
      if (words < 2) {
        firstWords.append(words == 0 ? "" : " ").append(word);
      }
      if (words < leadingWords.length && ROUTINE_WORDS.contains(word)) {
        leadingWords[words] = word.charAt(0);
      }
      words++;
      if (createsRoutine() && parens == 0) {
        switch (word) {
          case "begin" -> begins++;
          case "case" -> begins += begins > 0 ? 1 : 0;
          case "end" -> begins = Math.max(0, begins - 1);
          default -> {
          }
        }
      }
      return end;
    }

    private boolean createsRoutine() {
      char[] w = leadingWords;
      return w[0] == 'c' && (w[1] == 'f' || w[1] == 'p' || w[1] == 'o' && w[2] == 'r' && (w[3] == 'f' || w[3] == 'p'));
    }

    /** A number with whatever letters follow it (1e5, 0x1F, 10abc): never a key word. */
    private int numberEnd(int i) {
      int end = i + 1;
      while (end < text.length() && (isDigit(text.charAt(end)) || isIdentifierStart(text.charAt(end)))) {
        end++;
      }
      return end;
    }

    /** The statement ends before {@code boundary}; one that held only comments is dropped. */
    private void endStatement(int boundary) {
      if (start >= 0 && firstLine >= 0) {
        int end = boundary;
        while (end > start && isSpace(text.charAt(end - 1))) {
          end--;
        }
        statements.add(new Statement(++count, text.substring(start, end), start, firstLine,
          words == 0 ? "" : firstWords.toString()));
      }
      start = -1;
      firstLine = -1;
      words = 0;
    }

    private void endBatch(int repeat) {
      if (!statements.isEmpty()) {
        batches.add(new Batch(List.copyOf(statements), repeat));
      }
      statements = new ArrayList<>();
      parens = 0;
      begins = 0;
    }

    /** Only ever asked for positions further on, so one pass counts the lines. */
    private int lineAt(int offset) {
      while (lineCursor < offset) {
        if (text.charAt(lineCursor++) == '\n') {
          line++;
        }
      }
      return line;
    }

    /** PostgreSQL's white space: space, tab, newline, carriage return, form feed, vertical tab. */
    private static boolean isSpace(char c) {
      return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\u000B';
    }

    private static boolean isDigit(char c) {
      return c >= '0' && c <= '9';
    }

    /** Letters, underscore and every non-ASCII character, as PostgreSQL's ident_start. */
    private static boolean isIdentifierStart(char c) {
      return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80;
    }

    private static boolean isIdentifierPart(char c) {
      return isIdentifierStart(c) || isDigit(c) || c == '$';
    }
  }
}
