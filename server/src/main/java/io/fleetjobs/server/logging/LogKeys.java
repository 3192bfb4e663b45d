package io.fleetjobs.server.logging;

import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import java.util.UUID;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * The ids a log event is about, as SLF4J key-value pairs: the JSON log writes each as a field of its own
 * ({@code jobName}, {@code jobExecutionId}, {@code stepId}, {@code stepName}, {@code targetExecutionId},
 * {@code targetServer}, {@code targetDatabase}), so a log store can find every line of one execution; the text
 * log leaves them out, its messages say them already. Key-value pairs travel with the event, unlike the MDC,
 * which an asynchronous callback on another thread would not see.
 */
public final class LogKeys {
  private LogKeys() {
  }

  public static LoggingEventBuilder execution(LoggingEventBuilder event, String jobName, UUID jobExecutionId) {
    return event
      .addKeyValue("jobName", jobName)
      .addKeyValue("jobExecutionId", text(jobExecutionId));
  }

  public static LoggingEventBuilder step(LoggingEventBuilder event, String jobName, UUID jobExecutionId, int stepId) {
    return execution(event, jobName, jobExecutionId)
      .addKeyValue("stepId", stepId);
  }

  public static LoggingEventBuilder target(LoggingEventBuilder event, TargetWork work) {
    return step(event, work.jobName(), work.jobExecutionId(), work.stepId())
      .addKeyValue("stepName", work.stepName())
      .addKeyValue("targetExecutionId", text(work.targetExecutionId()))
      .addKeyValue("targetServer", work.serverName())
      .addKeyValue("targetDatabase", work.databaseName());
  }

  public static LoggingEventBuilder target(LoggingEventBuilder event, TargetFinished finished) {
    return step(event, finished.jobName(), finished.jobExecutionId(), finished.stepId())
      .addKeyValue("stepName", finished.stepName())
      .addKeyValue("targetExecutionId", text(finished.targetExecutionId()))
      .addKeyValue("targetServer", finished.serverName())
      .addKeyValue("targetDatabase", finished.databaseName());
  }

  private static String text(UUID id) {
    return id == null ? null : id.toString();
  }
}
