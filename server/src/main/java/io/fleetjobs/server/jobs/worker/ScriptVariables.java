package io.fleetjobs.server.jobs.worker;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.targets.mysql.MysqlTargetDriver;
import io.fleetjobs.server.targets.sqlserver.SqlServerTargets;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Elastic Jobs scripting variables, substituted into a step's command before it runs. As sqlcmd does, a
 * variable becomes its value as plain text, so {@code '$(job_name)'} is a string literal only while the name
 * holds no quote: the job database refuses to save a step that uses {@code $(job_name)}, {@code $(step_name)}
 * or {@code $(target_group_name)} while that name holds a quote or a semicolon
 * ({@code jobs_internal.check_script_variables}), and this class refuses it again for steps saved before that
 * rule. Every variable also has a {@code _literal} form, {@code $(job_name_literal)}: its value as a string
 * literal quoted for the target's engine, right for any name. Pure.
 */
public final class ScriptVariables {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\(([a-z_]+)\\)");
  private static final String LITERAL = "_literal";
  /** The variables whose values a user chose, and the characters that would let such a value end a literal. */
  private static final Set<String> NAMES = Set.of("job_name", "step_name", "target_group_name");
  private static final Pattern UNSAFE_AS_TEXT = Pattern.compile("['\";]");

  private ScriptVariables() {
  }

  public static String substitute(String command, TargetWork work) {
    // One pass over the command, so a value that itself looks like a variable is not substituted again.
    Map<String, String> values = Map.of(
      "job_name", work.jobName(),
      "job_id", work.jobId().toString(),
      "job_version", Integer.toString(work.jobVersion()),
      "step_id", Integer.toString(work.stepId()),
      "step_name", work.stepName(),
      "job_execution_id", work.jobExecutionId().toString(),
      "job_execution_create_time", work.jobExecutionCreateTime().toString(),
      "target_group_name", work.targetGroupName());
    return VARIABLE.matcher(command).replaceAll(match -> Matcher.quoteReplacement(
      valueOf(match.group(1), values, work.engine(), match.group())));
  }

  private static String valueOf(String variable, Map<String, String> values, String engine, String asWritten) {
    if (variable.endsWith(LITERAL)) {
      String value = values.get(variable.substring(0, variable.length() - LITERAL.length()));
      return value == null ? asWritten : literal(value, engine);
    }
    String value = values.get(variable);
    if (value == null) {
      return asWritten;
    }
    if (NAMES.contains(variable) && UNSAFE_AS_TEXT.matcher(value).find()) {
      throw new InvalidInput("command", "The command uses $(" + variable + "), which is substituted as text, and the "
        + "name holds a quote or a semicolon; use $(" + variable + LITERAL + "), a quoted string literal.");
    }
    return value;
  }

  /**
   * The value as a string literal of the engine, quotes doubled: SQL Server's {@code N'...'}; PostgreSQL's
   * {@code '...'}, or {@code E'...'} with backslashes doubled when the value holds one, so that the literal
   * means the same whatever the server's standard_conforming_strings; MySQL's {@code '...'} with backslashes
   * doubled, which it reads as one unless NO_BACKSLASH_ESCAPES is set (then as two, still inside the literal).
   */
  static String literal(String value, String engine) {
    String quoted = value.replace("'", "''");
    if (SqlServerTargets.ENGINE.equals(engine)) {
      return "N'" + quoted + "'";
    }
    if (MysqlTargetDriver.ENGINE.equals(engine)) {
      return "'" + quoted.replace("\\", "\\\\") + "'";
    }
    return value.indexOf('\\') < 0 ? "'" + quoted + "'" : "E'" + quoted.replace("\\", "\\\\") + "'";
  }
}
