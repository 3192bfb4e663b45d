package io.fleetjobs.server.jobs.notices;

import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * All SQL on execution notifications. A save checks the jobs and action groups it names in its transaction, and
 * holds the groups against deletion until it commits; deleting an action group asks {@link #namesUsing} in its own.
 */
public final class ExecutionNotificationRepository {
  private static final String COLUMNS = "notification_name, description, job_names, end_states, action_groups";
  private static final String UPSERT = """
      INSERT INTO jobs_internal.execution_notifications (notification_name, description, job_names, end_states,
                                                         action_groups)
      VALUES (#{name}, #{description}, #{jobs}, #{states}, #{groups})
      ON CONFLICT (notification_name) DO UPDATE
        SET description = EXCLUDED.description, job_names = EXCLUDED.job_names, end_states = EXCLUDED.end_states,
            action_groups = EXCLUDED.action_groups, updated_at = now()
      RETURNING (xmax = 0) AS created""";
  private static final String KNOWN_JOBS = """
      SELECT job_name FROM jobs_internal.jobs WHERE job_name = ANY(#{names})""";
  private static final String USING_GROUP = """
      SELECT notification_name FROM jobs_internal.execution_notifications
       WHERE #{group} = ANY(action_groups) ORDER BY notification_name""";

  private static final RowMapper<ExecutionNotification> NOTIFICATION = row -> new ExecutionNotification(
    row.getString("notification_name"),
    row.getString("description"),
    Arrays.asList(row.getArrayOfStrings("job_names")),
    Arrays.asList(row.getArrayOfStrings("end_states")),
    Arrays.asList(row.getArrayOfStrings("action_groups")));
  private static final RowMapper<String> JOB_NAME = row -> row.getString("job_name");
  private static final RowMapper<String> NOTIFICATION_NAME = row -> row.getString("notification_name");

  private final Pool pool;
  private final ActionGroupRepository actionGroups;
  private final SqlTemplate<Map<String, Object>, RowSet<ExecutionNotification>> byName;
  private final SqlTemplate<Map<String, Object>, RowSet<ExecutionNotification>> page;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;

  public ExecutionNotificationRepository(Pool pool, ActionGroupRepository actionGroups) {
    this.pool = pool;
    this.actionGroups = actionGroups;
    byName = SqlTemplate.forQuery(pool, "SELECT " + COLUMNS
        + " FROM jobs_internal.execution_notifications WHERE notification_name = #{name}")
      .mapTo(NOTIFICATION);
    page = SqlTemplate.forQuery(pool, "SELECT " + COLUMNS
        + " FROM jobs_internal.execution_notifications ORDER BY notification_name LIMIT #{limit} OFFSET #{offset}")
      .mapTo(NOTIFICATION);
    delete = SqlTemplate.forQuery(pool,
      "DELETE FROM jobs_internal.execution_notifications WHERE notification_name = #{name}");
  }

  /** @return true when created; nothing is stored when a job or an action group it names does not exist */
  public Future<Boolean> save(ExecutionNotification notification) {
    return pool.withTransaction(conn -> requireJobs(conn, notification)
      .compose(ok -> actionGroups.shareExisting(conn, notification.actionGroups()))
      .compose(found -> {
        List<String> groups = notification.actionGroups();
        for (int i = 0; i < groups.size(); i++) {
          if (!found.contains(groups.get(i))) {
            return Future.failedFuture(new InvalidInput("UnknownReference", "actionGroups[" + i + "]",
              "Action group '" + groups.get(i) + "' does not exist."));
          }
        }
        return SqlTemplate.forQuery(conn, UPSERT)
          .execute(Params.of(
            "name", notification.name(),
            "description", notification.description(),
            "jobs", notification.jobs().toArray(String[]::new),
            "states", notification.endStates().toArray(String[]::new),
            "groups", groups.toArray(String[]::new)));
      })
      .map(rows -> rows.iterator().next().getBoolean("created")));
  }

  private static Future<Void> requireJobs(SqlConnection conn, ExecutionNotification notification) {
    if (notification.everyJob()) {
      return Future.succeededFuture();
    }
    List<String> jobs = notification.jobs();
    return SqlTemplate.forQuery(conn, KNOWN_JOBS)
      .mapTo(JOB_NAME)
      .execute(Params.of("names", jobs.toArray(String[]::new)))
      .compose(rows -> {
        List<String> found = Rows.list(rows);
        for (int i = 0; i < jobs.size(); i++) {
          if (!found.contains(jobs.get(i))) {
            return Future.failedFuture(new InvalidInput("UnknownReference", "jobs[" + i + "]",
              "Job '" + jobs.get(i) + "' does not exist."));
          }
        }
        return Future.succeededFuture();
      });
  }

  public Future<ExecutionNotification> get(String name) {
    return byName.execute(Params.of("name", name))
      .compose(rows -> Rows.single(rows, () -> notFound(name)));
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<ExecutionNotification>> list(int limit, int offset) {
    return page.execute(Params.of("limit", limit, "offset", offset))
      .map(Rows::list);
  }

  public Future<Void> delete(String name) {
    return delete.execute(Params.of("name", name))
      .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound(name)) : Future.succeededFuture());
  }

  /** For an action group's delete, in its transaction: "execution notifications [a, b]", or nothing. */
  public static Future<List<String>> namesUsing(SqlConnection conn, String group) {
    return SqlTemplate.forQuery(conn, USING_GROUP)
      .mapTo(NOTIFICATION_NAME)
      .execute(Params.of("group", group))
      .map(rows -> rows.size() == 0 ? List.of() : List.of("execution notifications " + Rows.list(rows)));
  }

  private static NotFound notFound(String name) {
    return new NotFound("name", "Execution notification '" + name + "' does not exist.");
  }
}
