package io.fleetjobs.server.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.fleetjobs.server.config.TelemetrySettings.LogFormat;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Switches the log to the configured format once the configuration is read. Text is logback.xml, read at start;
 * JSON (logback-json.xml) writes one object per line with the time, level, logger, thread and message, and the
 * job, step, target and execution ids that {@link LogKeys} attaches to an event.
 */
public final class LogFormats {
  private static final String JSON_CONFIGURATION = "/logback-json.xml";

  private LogFormats() {
  }

  public static void apply(LogFormat format) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (format != LogFormat.JSON || !(factory instanceof LoggerContext context)) {
      return;
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    context.reset();
    try {
      configurator.doConfigure(LogFormats.class.getResource(JSON_CONFIGURATION));
    } catch (JoranException e) {
      throw new IllegalStateException("Could not switch the log to JSON: " + e.getMessage(), e);
    }
  }
}
