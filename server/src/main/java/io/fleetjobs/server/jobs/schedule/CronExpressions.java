package io.fleetjobs.server.jobs.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;
import io.fleetjobs.common.errors.InvalidInput;

/** Five-field Unix cron expressions ("0 8 * * 1-5"), read in the job's IANA time zone. */
public final class CronExpressions {
  private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private CronExpressions() {
  }

  /** @param field names the input in errors */
  public static Cron parse(String expression, String field) {
    try {
      return PARSER.parse(expression).validate();
    } catch (IllegalArgumentException e) {
      throw new InvalidInput("InvalidCron", field, "'" + expression + "' is not a five-field cron expression such as "
        + "'0 8 * * 1-5': " + e.getMessage());
    }
  }
}
