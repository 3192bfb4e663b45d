package io.fleetjobs.server.jobs.worker;

import io.fleetjobs.server.bus.TargetWork;
import java.util.Map;

/** The Elastic Jobs scripting variables, substituted into a step's command before it runs. Pure. */
public final class ScriptVariables {
  private ScriptVariables() {
  }

  public static String substitute(String command, TargetWork work) {
    Map<String, String> values = Map.of(
      "$(job_name)", work.jobName(),
      "$(job_id)", work.jobId().toString(),
      "$(job_version)", Integer.toString(work.jobVersion()),
      "$(step_id)", Integer.toString(work.stepId()),
      "$(step_name)", work.stepName(),
      "$(job_execution_id)", work.jobExecutionId().toString(),
      "$(job_execution_create_time)", work.jobExecutionCreateTime().toString(),
      "$(target_group_name)", work.targetGroupName());
    String script = command;
    for (Map.Entry<String, String> variable : values.entrySet()) {
      script = script.replace(variable.getKey(), variable.getValue());
    }
    return script;
  }
}
