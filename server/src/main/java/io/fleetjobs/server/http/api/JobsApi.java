package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.body;
import static io.fleetjobs.server.http.Endpoint.pathInt;
import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.Job;
import io.fleetjobs.server.jobs.JobRepository;
import io.fleetjobs.server.jobs.ScheduleInput;
import io.fleetjobs.server.jobs.schedule.CronExpressions;
import io.fleetjobs.server.jobs.JobVersion;
import io.fleetjobs.server.jobs.ScheduleInterval;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** /jobs and their version history. Steps have their own {@link JobStepsApi}. */
public final class JobsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of(
    "job_name", "name",
    "overlap_policy", "overlapPolicy",
    "schedule_interval_type", "schedule.scheduleIntervalType",
    "schedule_interval_count", "schedule.scheduleIntervalCount",
    "schedule_start_time", "schedule.startTime",
    "schedule_end_time", "schedule.endTime",
    "schedule_cron", "schedule.cronExpression",
    "schedule_time_zone", "schedule.timeZone",
    "enabled", "schedule.enabled"));

  private final JobRepository jobs;

  public JobsApi(JobRepository jobs) {
    this.jobs = jobs;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listJobs").addHandler(Endpoint.of(FIELDS, this::list));
    builder.getRoute("getJob").addHandler(Endpoint.of(FIELDS, this::get));
    builder.getRoute("putJob").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteJob").addHandler(Endpoint.of(FIELDS, this::delete));
    builder.getRoute("listJobVersions").addHandler(Endpoint.of(FIELDS, this::versions));
    builder.getRoute("getJobVersion").addHandler(Endpoint.of(FIELDS, this::version));
  }

  private Future<Reply> list(RoutingContext ctx) {
    int top = Endpoint.top(ctx);
    int skip = Endpoint.skip(ctx);
    return jobs.list(top, skip).map(page -> Reply.page(ctx, page.map(job -> job.toJson(Instant.now())), top, skip));
  }

  private Future<Reply> get(RoutingContext ctx) {
    return jobs.get(pathParam(ctx, "name")).map(job -> Reply.ok(job.toJson(Instant.now())));
  }

  private Future<Reply> put(RoutingContext ctx) {
    String name = pathParam(ctx, "name");
    JsonObject body = body(ctx);
    Endpoint.requireSameName(body, name);
    ScheduleInput schedule = schedule(body.getJsonObject("schedule", new JsonObject()));
    return jobs.save(name, body.getString("description"), body.getString("overlapPolicy"), schedule)
      .compose(created -> jobs.get(name).map(job -> Reply.saved(created, job.toJson(Instant.now()))));
  }

  private Future<Reply> delete(RoutingContext ctx) {
    boolean force = Boolean.TRUE.equals(Endpoint.validated(ctx).getQuery().get("force").getBoolean());
    return jobs.delete(pathParam(ctx, "name"), force).map(done -> Reply.noContent());
  }

  private Future<Reply> versions(RoutingContext ctx) {
    return jobs.versions(pathParam(ctx, "name"))
      .map(versions -> Reply.list(versions.stream().map(JobVersion::toJson).toList()));
  }

  private Future<Reply> version(RoutingContext ctx) {
    return jobs.version(pathParam(ctx, "name"), pathInt(ctx, "version")).map(version -> Reply.ok(version.toJson()));
  }

  /**
   * Reads either schedule form (REST's type and ISO interval, or T-SQL's interval type and count) into the
   * T-SQL form; when both are given they must agree. Absent fields stay null: the job database defaults them.
   */
  static ScheduleInput schedule(JsonObject json) {
    String type = json.getString("type");
    boolean cron = "Cron".equals(type) || "Cron".equals(json.getString("scheduleIntervalType"));
    if (cron) {
      String expression = json.getString("cronExpression");
      if (expression == null) {
        throw new InvalidInput("schedule.cronExpression", "A Cron schedule needs a cronExpression such as '0 8 * * *'.");
      }
      CronExpressions.parse(expression, "schedule.cronExpression");
      return new ScheduleInput(json.getBoolean("enabled"), ScheduleInterval.CRON, 1, time(json, "startTime"),
        time(json, "endTime"), expression, json.getString("timeZone", "UTC"));
    }
    if (json.containsKey("cronExpression") || json.containsKey("timeZone")) {
      throw new InvalidInput("schedule.type", "cronExpression and timeZone need the Cron schedule type.");
    }
    ScheduleInterval interval = interval(json, type);
    return new ScheduleInput(json.getBoolean("enabled"), interval == null ? null : interval.intervalType(),
      interval == null ? null : interval.intervalCount(), time(json, "startTime"), time(json, "endTime"), null, null);
  }

  /** @return the interval in the form given, or null when none was */
  private static ScheduleInterval interval(JsonObject json, String type) {
    String iso = json.getString("interval");
    String tsqlType = json.getString("scheduleIntervalType");
    Integer tsqlCount = json.getInteger("scheduleIntervalCount");
    if (tsqlType == null && tsqlCount != null) {
      throw new InvalidInput("schedule.scheduleIntervalType", "scheduleIntervalCount needs scheduleIntervalType.");
    }
    ScheduleInterval tsql = tsqlType == null ? null : new ScheduleInterval(tsqlType, tsqlCount == null ? 1 : tsqlCount);
    ScheduleInterval rest = null;
    if (iso != null) {
      if ("Once".equals(type)) {
        throw new InvalidInput("schedule.interval", "A Once schedule takes no interval.");
      }
      rest = ScheduleInterval.fromIso(iso, "schedule.interval");
    } else if ("Once".equals(type)) {
      rest = ScheduleInterval.ONCE;
    } else if ("Recurring".equals(type) && (tsql == null || !tsql.recurring())) {
      throw new InvalidInput("schedule.interval", "A Recurring schedule needs an interval such as PT15M.");
    }
    if (tsql != null && rest != null && !tsql.normalized().equals(rest)) {
      throw new InvalidInput("schedule.scheduleIntervalType",
        "scheduleIntervalType and scheduleIntervalCount disagree with type and interval.");
    }
    return tsql != null ? tsql : rest;
  }

  private static Instant time(JsonObject json, String key) {
    String text = json.getString(key);
    if (text == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidInput("schedule." + key, "'" + text + "' is not an ISO-8601 date and time with an offset.");
    }
  }
}
