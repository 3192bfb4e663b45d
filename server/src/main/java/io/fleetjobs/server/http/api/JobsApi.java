package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.body;
import static io.fleetjobs.server.http.Endpoint.pathInt;
import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.errors.InvalidInput;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.Job;
import io.fleetjobs.server.jobs.JobRepository;
import io.fleetjobs.server.jobs.JobSchedule;
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
    "schedule_interval_type", "schedule.scheduleIntervalType",
    "schedule_interval_count", "schedule.scheduleIntervalCount",
    "schedule_start_time", "schedule.startTime",
    "schedule_end_time", "schedule.endTime",
    "enabled", "schedule.enabled"));
  private static final Instant DEFAULT_START = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant DEFAULT_END = Instant.parse("9999-12-31T11:59:59Z");

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
    return jobs.list(top, skip).map(page -> Reply.page(ctx, page.map(Job::toJson), top, skip));
  }

  private Future<Reply> get(RoutingContext ctx) {
    return jobs.get(pathParam(ctx, "name")).map(job -> Reply.ok(job.toJson()));
  }

  private Future<Reply> put(RoutingContext ctx) {
    String name = pathParam(ctx, "name");
    JsonObject body = body(ctx);
    Endpoint.requireSameName(body, name);
    JobSchedule schedule = schedule(body.getJsonObject("schedule", new JsonObject()));
    return jobs.save(name, body.getString("description", ""), schedule)
      .compose(created -> jobs.get(name).map(job -> Reply.saved(created, job.toJson())));
  }

  private Future<Reply> delete(RoutingContext ctx) {
    return jobs.delete(pathParam(ctx, "name")).map(done -> Reply.noContent());
  }

  private Future<Reply> versions(RoutingContext ctx) {
    return jobs.versions(pathParam(ctx, "name"))
      .map(versions -> Reply.list(versions.stream().map(JobVersion::toJson).toList()));
  }

  private Future<Reply> version(RoutingContext ctx) {
    return jobs.version(pathParam(ctx, "name"), pathInt(ctx, "version")).map(version -> Reply.ok(version.toJson()));
  }

  /** Reads either schedule form; when both are given they must agree. */
  static JobSchedule schedule(JsonObject json) {
    return new JobSchedule(
      json.getBoolean("enabled", false),
      interval(json),
      time(json, "startTime", DEFAULT_START),
      time(json, "endTime", DEFAULT_END));
  }

  private static ScheduleInterval interval(JsonObject json) {
    String type = json.getString("type");
    String iso = json.getString("interval");
    String tsqlType = json.getString("scheduleIntervalType");
    Integer tsqlCount = json.getInteger("scheduleIntervalCount");
    if (tsqlType == null && tsqlCount != null) {
      throw new InvalidInput("schedule.scheduleIntervalType", "scheduleIntervalCount needs scheduleIntervalType.");
    }
    ScheduleInterval tsql = tsqlType == null ? null
      : new ScheduleInterval(tsqlType, tsqlCount == null ? 1 : tsqlCount).normalized();
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
    if (tsql != null && rest != null && !tsql.equals(rest)) {
      throw new InvalidInput("schedule.scheduleIntervalType",
        "scheduleIntervalType and scheduleIntervalCount disagree with type and interval.");
    }
    return tsql != null ? tsql : rest != null ? rest : ScheduleInterval.ONCE;
  }

  private static Instant time(JsonObject json, String key, Instant defaultValue) {
    String text = json.getString(key);
    if (text == null) {
      return defaultValue;
    }
    try {
      return OffsetDateTime.parse(text).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidInput("schedule." + key, "'" + text + "' is not an ISO-8601 date and time with an offset.");
    }
  }
}
