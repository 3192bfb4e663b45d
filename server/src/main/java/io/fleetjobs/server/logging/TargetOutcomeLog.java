package io.fleetjobs.server.logging;

import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.jobs.executions.Lifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One line per target execution that ended Failed or TimedOut, with its ids, wherever it was recorded: by an
 * executor, or by the sweep that ends what lost its agent. Successes and cancellations (a cancelled run of ten
 * thousand targets ends them all at once) are logged at DEBUG only. The target's message stays in the job
 * database: what a script printed or an error quoted may hold data that does not belong in a log.
 */
public final class TargetOutcomeLog {
  private static final Logger LOG = LoggerFactory.getLogger(TargetOutcomeLog.class);

  private TargetOutcomeLog() {
  }

  public static void ended(TargetFinished finished) {
    Lifecycle lifecycle = Lifecycle.of(finished.lifecycle());
    Level level = lifecycle == Lifecycle.FAILED || lifecycle == Lifecycle.TIMED_OUT ? Level.INFO : Level.DEBUG;
    LogKeys.target(LOG.atLevel(level), finished)
      .addKeyValue("lifecycle", finished.lifecycle())
      .log("Target execution {} ended {} after {} attempt(s): job {}, step {} ({}), {}/{}",
        finished.targetExecutionId(), finished.lifecycle(), finished.attempts(), finished.jobName(),
        finished.stepId(), finished.stepName(), finished.serverName(), finished.databaseName());
  }
}
