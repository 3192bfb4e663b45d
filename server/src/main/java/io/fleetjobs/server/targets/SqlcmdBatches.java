package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.InvalidInput;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a script into batches the way sqlcmd does: on lines that hold only {@code GO} (any case, an
 * optional repeat count and a trailing {@code --} comment), never on one inside a string, a quoted or
 * bracketed identifier, or a comment. Block comments nest, as in T-SQL. Pure.
 *
 * <p>sqlcmd's own commands, which SSDT's publish scripts start with, are read where sqlcmd reads them (a line
 * that starts with a colon, outside strings and comments): {@code :setvar NAME value} defines a variable that
 * {@code $(NAME)} is replaced with on the lines after it, and {@code :on error exit|ignore} says whether a
 * failing batch stops the script (the default) or is reported and passed. Every other command ({@code :r},
 * {@code :connect}, {@code :out}, {@code !!}, ...) needs a file, a console or another server the agent does
 * not have: the script is refused, naming the line, before anything runs.
 */
public final class SqlcmdBatches {
  private static final Pattern GO_LINE = Pattern.compile("(?i)\\s*GO(?:\\s+(\\d+))?\\s*(?:--.*)?");
  private static final Pattern COMMAND = Pattern.compile("\\s*(?::([A-Za-z]+)\\b(.*)|!!(.*))");
  private static final Pattern SETVAR = Pattern.compile("\\s+([A-Za-z_][A-Za-z0-9_-]*)(?:\\s+(\"(?:[^\"]|\"\")*\"|\\S+))?\\s*");
  private static final Pattern ON_ERROR = Pattern.compile("(?i)\\s+error\\s+(exit|ignore)\\s*");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_-]*)\\)");

  private enum State { CODE, SINGLE_QUOTED, DOUBLE_QUOTED, BRACKETED, BLOCK_COMMENT }

  private SqlcmdBatches() {
  }

  /** Batches in order; batches holding nothing but white space are dropped, as sqlcmd drops them. */
  public static List<ScriptBatch> split(String script) {
    List<ScriptBatch> batches = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    Map<String, String> variables = new HashMap<>();
    boolean ignoreErrors = false;
    State state = State.CODE;
    int depth = 0;
    int firstLine = 1;
    String[] lines = script.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = substitute(lines[i], variables);
      OptionalInt separator = state == State.CODE ? separator(line, i + 1) : OptionalInt.empty();
      if (separator.isPresent()) {
        add(batches, current, separator.getAsInt(), firstLine, ignoreErrors);
        current.setLength(0);
        firstLine = i + 2;
        continue;
      }
      Matcher command = state == State.CODE ? COMMAND.matcher(line) : null;
      if (command != null && command.matches()) {
        ignoreErrors = command(command, i + 1, variables, ignoreErrors);
        if (current.length() == 0) {
          firstLine = i + 2;
        }
        continue;
      }
      Scan scan = scan(line, state, depth);
      state = scan.state();
      depth = scan.depth();
      if (current.length() > 0) {
        current.append('\n');
      } else if (line.isBlank()) {
        // Leading blank lines belong to no statement; where the batch starts is its first real line.
        firstLine = i + 2;
        continue;
      }
      current.append(line);
    }
    add(batches, current, 1, firstLine, ignoreErrors);
    return batches;
  }

  /** @return whether failing batches are passed from now on */
  private static boolean command(Matcher command, int line, Map<String, String> variables, boolean ignoreErrors) {
    String name = command.group(1) == null ? "!!" : command.group(1).toLowerCase(Locale.ROOT);
    String rest = command.group(1) == null ? command.group(3) : command.group(2);
    switch (name) {
      case "setvar" -> {
        Matcher setvar = SETVAR.matcher(rest);
        if (!setvar.matches()) {
          throw refused(line, ":setvar needs a variable name and a value (:setvar Name \"value\")");
        }
        String value = setvar.group(2);
        if (value == null) {
          variables.remove(setvar.group(1).toLowerCase(Locale.ROOT));
        } else {
          variables.put(setvar.group(1).toLowerCase(Locale.ROOT), value.startsWith("\"")
            ? value.substring(1, value.length() - 1).replace("\"\"", "\"") : value);
        }
        return ignoreErrors;
      }
      case "on" -> {
        Matcher onError = ON_ERROR.matcher(rest);
        if (!onError.matches()) {
          throw refused(line, ":on error takes exit or ignore");
        }
        return onError.group(1).equalsIgnoreCase("ignore");
      }
      default -> throw refused(line, "sqlcmd's " + (name.equals("!!") ? "!!" : ":" + name) + " is not supported: "
        + "only :setvar and :on error are (" + (name.equals("r") ? "put the included file's text in the script"
          : "the agent has no console, files or other connections") + ")");
    }
  }

  private static InvalidInput refused(int line, String why) {
    return new InvalidInput("action.value", "Line " + line + " of the script: " + why + ".");
  }

  /** sqlcmd replaces $(NAME) everywhere on a line, strings and comments included; names ignore case. */
  private static String substitute(String line, Map<String, String> variables) {
    if (variables.isEmpty() || !line.contains("$(")) {
      return line;
    }
    Matcher variable = VARIABLE.matcher(line);
    StringBuilder out = new StringBuilder();
    while (variable.find()) {
      String value = variables.get(variable.group(1).toLowerCase(Locale.ROOT));
      variable.appendReplacement(out, Matcher.quoteReplacement(value == null ? variable.group() : value));
    }
    variable.appendTail(out);
    return out.toString();
  }

  /**
   * The one rule of what a batch separator line is, for every engine that honours GO (the TSql action type).
   *
   * @param line a whole line, without its line break
   * @param lineNumber where it is in the script, for the error about a bad count
   * @return how many times the batch before it runs, when the line is a separator
   */
  public static OptionalInt separator(String line, int lineNumber) {
    Matcher go = GO_LINE.matcher(line);
    return go.matches() ? OptionalInt.of(repeat(go.group(1), lineNumber)) : OptionalInt.empty();
  }

  /** The whole script as one batch, GO lines and all, for a step whose action type has no separator (Sql). */
  public static List<ScriptBatch> whole(String script) {
    if (script.isBlank()) {
      return List.of();
    }
    String[] lines = script.split("\r?\n", -1);
    int first = 0;
    while (lines[first].isBlank()) {
      first++;
    }
    return List.of(new ScriptBatch(script, 1, first + 1));
  }

  private static int repeat(String count, int line) {
    if (count == null) {
      return 1;
    }
    try {
      int repeat = Integer.parseInt(count);
      if (repeat >= 1) {
        return repeat;
      }
    } catch (NumberFormatException e) {
      // falls through to the same message as a zero count
    }
    throw new InvalidInput("action.value", "GO on line " + line + " repeats its batch " + count
      + " times; the count must be between 1 and " + Integer.MAX_VALUE + ".");
  }

  private static void add(List<ScriptBatch> batches, StringBuilder text, int repeat, int firstLine,
                          boolean continueOnError) {
    if (!text.toString().isBlank()) {
      batches.add(new ScriptBatch(text.toString(), repeat, firstLine, continueOnError));
    }
  }

  private record Scan(State state, int depth) {
  }

  /** Where a line leaves the lexical state: inside a string or a comment, or in code. */
  private static Scan scan(String line, State state, int depth) {
    int i = 0;
    while (i < line.length()) {
      char c = line.charAt(i);
      char next = i + 1 < line.length() ? line.charAt(i + 1) : '\0';
      switch (state) {
        case CODE -> {
          if (c == '-' && next == '-') {
            return new Scan(State.CODE, 0);
          } else if (c == '/' && next == '*') {
            state = State.BLOCK_COMMENT;
            depth = 1;
            i++;
          } else if (c == '\'') {
            state = State.SINGLE_QUOTED;
          } else if (c == '"') {
            state = State.DOUBLE_QUOTED;
          } else if (c == '[') {
            state = State.BRACKETED;
          }
        }
        case SINGLE_QUOTED, DOUBLE_QUOTED, BRACKETED -> {
          char close = state == State.SINGLE_QUOTED ? '\'' : state == State.DOUBLE_QUOTED ? '"' : ']';
          if (c == close) {
            if (next == close) {
              i++;
            } else {
              state = State.CODE;
            }
          }
        }
        case BLOCK_COMMENT -> {
          if (c == '/' && next == '*') {
            depth++;
            i++;
          } else if (c == '*' && next == '/') {
            depth--;
            i++;
            if (depth == 0) {
              state = State.CODE;
            }
          }
        }
      }
      i++;
    }
    return new Scan(state, depth);
  }
}
