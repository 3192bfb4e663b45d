package io.fleetjobs.server.jobs.worker;

import io.fleetjobs.server.bus.TargetWork;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The Elastic Jobs scripting variables, substituted into a step's command before it runs. Pure. */
public final class ScriptVariables {
  private static final Pattern VARIABLE = Pattern.compile("\\$\\(([a-z_]+)\\)");
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
      values.getOrDefault(match.group(1), match.group())));
  }
}
