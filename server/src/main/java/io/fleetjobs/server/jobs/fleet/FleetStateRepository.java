package io.fleetjobs.server.jobs.fleet;

import io.fleetjobs.common.sql.Params;
import io.fleetjobs.server.db.Page;
import io.fleetjobs.server.targets.ResolvedTarget;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * "Who is behind": a job's retained history, per database, against the databases its steps' groups expand to
 * now. One statement classifies every database (see {@link FleetState}), counts them, and cuts the page, so the
 * browser receives pages however large the fleet.
 */
public final class FleetStateRepository {
  private final Map<FleetSort, SqlTemplate<Map<String, Object>, RowSet<Row>>> pages = new EnumMap<>(FleetSort.class);

  /**
   * What the job's steps expand to now, as the statement reads it: each database once (keys, databases and servers
   * side by side), and the servers whose listing failed just now.
   */
  public record Expanded(String[] keys, String[] databases, String[] servers, String[] unlistedServerKeys) {
    /**
     * Each database once, under the first server spelling in name order, as the engine tells them apart. At 10,000
     * databases this is CPU work for a worker, not for the event loop.
     */
    public static Expanded of(Collection<ResolvedTarget> targets, Collection<String> unlistedServerKeys) {
      Map<List<String>, ResolvedTarget> unique = new HashMap<>();
      targets.forEach(target -> unique.merge(List.of(target.serverKey(), target.databaseName()), target,
        (a, b) -> a.serverName().compareTo(b.serverName()) <= 0 ? a : b));
      List<ResolvedTarget> each = List.copyOf(unique.values());
      return new Expanded(each.stream().map(ResolvedTarget::serverKey).toArray(String[]::new),
        each.stream().map(ResolvedTarget::databaseName).toArray(String[]::new),
        each.stream().map(ResolvedTarget::serverName).toArray(String[]::new),
        unlistedServerKeys.toArray(String[]::new));
    }
  }

  /** A page of the fleet, how many databases match the filter, and how many are in each state in all. */
  public record Fleet(Page<FleetDatabase> page, long matching, Map<FleetState, Long> counts) {
    public JsonObject countsJson() {
      JsonObject json = new JsonObject().put("total", counts.values().stream().mapToLong(Long::longValue).sum());
      counts.forEach((state, n) -> json.put(Character.toLowerCase(state.value().charAt(0))
        + state.value().substring(1), n));
      return json;
    }
  }

  public FleetStateRepository(Pool pool) {
    for (FleetSort sort : FleetSort.values()) {
      pages.put(sort, SqlTemplate.forQuery(pool, QUERY.replace("$order", sort.orderBy())));
    }
  }

  /**
   * Databases are told apart as the engine does, by resolved server (server_key) and database name. A database
   * on a server whose listing failed now counts as still targeted: its state is its history's.
   */
  private static final String QUERY = """
      WITH dry_runs AS (
        -- A dry run changed nothing, so it says nothing of the fleet's state.
        SELECT d.job_execution_id FROM jobs_internal.job_executions d WHERE d.job_id = #{jobId} AND d.dry_run
      ), targeted AS (
        -- One row per database already (see page), so no sort or grouping here.
        SELECT u.server_key, u.database_name, u.server_name
          FROM unnest(#{keys}::text[], #{databases}::text[], #{servers}::text[]) AS u(server_key, database_name, server_name)
      ), complete AS (
        -- Executions that reached the last step of their version: a database whose every row in one of them
        -- Succeeded has that version, whichever steps' groups include it.
        SELECT e.job_execution_id, e.job_version
          FROM jobs_internal.job_executions e
         WHERE e.job_id = #{jobId} AND NOT e.dry_run
           AND EXISTS (SELECT 1 FROM jobs_internal.step_executions s
                        WHERE s.job_execution_id = e.job_execution_id
                          AND s.step_id = (SELECT max(v.step_id) FROM jobs_internal.jobstep_versions v
                                            WHERE v.job_id = e.job_id AND v.job_version = e.job_version))
      ), last_runs AS (
        -- When each database last ran each step, and when it last failed it; a member's own row (a listing) is
        -- no database. Every statement here groups by hashing: sorting the job's history (30,000 rows at 10,000
        -- databases) for DISTINCT ON was most of the time (BENCHMARKS.md, the fleet state).
        SELECT t.server_key, t.database_name, t.step_name, min(t.server_name) AS server_name,
               max(t.create_time) AS last_time,
               max(t.create_time) FILTER (WHERE t.lifecycle IN ('Failed', 'TimedOut')) AS last_failure
          FROM jobs_internal.target_executions t
         WHERE t.job_id = #{jobId} AND NOT t.expands_member
           AND t.job_execution_id NOT IN (SELECT job_execution_id FROM dry_runs)
         GROUP BY t.server_key, t.database_name, t.step_name
      ), history AS (
        -- Steps no longer in the job say nothing of its current state, but their databases were reached. The
        -- runs themselves are read again for the page's rows only (see the page below).
        SELECT r.server_key, r.database_name, min(r.server_name) AS server_name,
               coalesce(bool_or(r.last_failure = r.last_time)
                          FILTER (WHERE r.step_name = ANY (#{steps}::text[])), false) AS failing
          FROM last_runs r
         GROUP BY r.server_key, r.database_name
      ), succeeded_runs AS (
        -- Each database's complete executions in which nothing failed there, and when its last row ended.
        SELECT t.server_key, t.database_name, c.job_version, max(t.end_time) AS end_time
          FROM jobs_internal.target_executions t
          JOIN complete c ON c.job_execution_id = t.job_execution_id
         WHERE t.job_id = #{jobId} AND NOT t.expands_member
         GROUP BY t.server_key, t.database_name, t.job_execution_id, c.job_version
        HAVING bool_and(t.lifecycle = 'Succeeded')
      ), succeeded AS (
        -- The newest of them, and whether it ran the current version (the page reads which execution it was).
        SELECT s.server_key, s.database_name, max(s.end_time) AS end_time,
               max(s.end_time) FILTER (WHERE s.job_version = #{version}) AS current_end_time
          FROM succeeded_runs s
         GROUP BY s.server_key, s.database_name
      ), classified AS (
        SELECT f.server_key, f.database_name, f.server_name, f.targeted, ok.end_time AS succeeded_time,
               CASE WHEN NOT f.targeted THEN 'NotTargeted'
                    WHEN f.failing THEN 'Failing'
                    WHEN ok.current_end_time = ok.end_time THEN 'Current'
                    ELSE 'Behind' END AS state
          FROM (SELECT coalesce(tg.server_key, h.server_key) AS server_key,
                       coalesce(tg.database_name, h.database_name) AS database_name,
                       coalesce(tg.server_name, h.server_name) AS server_name,
                       tg.server_key IS NOT NULL OR h.server_key = ANY (#{unlisted}::text[]) AS targeted,
                       coalesce(h.failing, false) AS failing
                  FROM targeted tg
                  FULL JOIN history h ON h.server_key = tg.server_key AND h.database_name = tg.database_name) f
          LEFT JOIN succeeded ok ON ok.server_key = f.server_key AND ok.database_name = f.database_name
      ), chosen AS (
        SELECT c.server_key, c.database_name, c.server_name, c.targeted, c.succeeded_time, c.state
          FROM classified c
         WHERE (#{states}::text[] IS NULL OR c.state = ANY (#{states}::text[]))
           AND (#{search}::text IS NULL
                OR strpos(lower(c.server_name || '/' || c.database_name), lower(#{search}::text)) > 0)
      )
      SELECT totals.matching, totals.failing, totals.behind, totals.not_targeted, totals.current, p.server_name,
             p.database_name, p.state, p.targeted, p.succeeded_version, p.succeeded_time, p.succeeded_execution,
             p.last_runs
        FROM (SELECT (SELECT count(*) FROM chosen) AS matching,
                     count(*) FILTER (WHERE c.state = 'Failing') AS failing,
                     count(*) FILTER (WHERE c.state = 'Behind') AS behind,
                     count(*) FILTER (WHERE c.state = 'NotTargeted') AS not_targeted,
                     count(*) FILTER (WHERE c.state = 'Current') AS current
                FROM classified c) totals
        LEFT JOIN LATERAL (
          SELECT c.server_name, c.database_name, c.state, c.targeted, c.succeeded_time,
                 ok.job_version AS succeeded_version, ok.job_execution_id AS succeeded_execution,
                 -- The page's databases only: each one's last run of each current step, from the (job_id,
                 -- server_key, database_name, step_name, create_time) index. A failed run keeps its message.
                 (SELECT coalesce(jsonb_object_agg(r.step_name, jsonb_build_object('lifecycle', r.lifecycle,
                                    'jobExecutionId', r.job_execution_id, 'endTime', r.end_time,
                                    'message', CASE WHEN r.lifecycle IN ('Failed', 'TimedOut') THEN r.last_message END)),
                                  '{}')
                    FROM (SELECT DISTINCT ON (t.step_name) t.step_name, t.lifecycle, t.job_execution_id, t.end_time,
                                 t.last_message
                            FROM jobs_internal.target_executions t
                           WHERE t.job_id = #{jobId} AND t.server_key = c.server_key
                             AND t.job_execution_id NOT IN (SELECT job_execution_id FROM dry_runs)
                             AND t.database_name = c.database_name AND NOT t.expands_member
                             AND t.step_name = ANY (#{steps}::text[])
                           ORDER BY t.step_name, t.create_time DESC) r) AS last_runs
            FROM (SELECT c.server_key, c.server_name, c.database_name, c.state, c.targeted, c.succeeded_time
                    FROM chosen c
                   ORDER BY $order
                   LIMIT #{limit} OFFSET #{offset}) c
            LEFT JOIN LATERAL (
              -- Which execution the page's databases last succeeded in, from the same index.
              SELECT s.job_version, t.job_execution_id
                FROM jobs_internal.target_executions t
                JOIN complete s ON s.job_execution_id = t.job_execution_id
               WHERE t.job_id = #{jobId} AND t.server_key = c.server_key AND t.database_name = c.database_name
                 AND NOT t.expands_member AND t.lifecycle = 'Succeeded' AND t.end_time = c.succeeded_time
                 AND NOT EXISTS (SELECT 1 FROM jobs_internal.target_executions u
                                  WHERE u.job_id = #{jobId} AND u.server_key = c.server_key
                                    AND u.database_name = c.database_name AND u.job_execution_id = t.job_execution_id
                                    AND NOT u.expands_member AND u.lifecycle <> 'Succeeded')
               ORDER BY s.job_version DESC
               LIMIT 1) ok ON true
           ORDER BY $order) p ON true""";

  /** @param steps the names of the current version's steps, in step order */
  public Future<Fleet> page(UUID jobId, int version, List<String> steps, Expanded now, FleetFilter filter) {
    return pages.get(filter.sort()).execute(Params.of(
        "jobId", jobId,
        "version", version,
        "steps", steps.toArray(String[]::new),
        "keys", now.keys(),
        "databases", now.databases(),
        "servers", now.servers(),
        "unlisted", now.unlistedServerKeys(),
        "states", filter.stateValues(),
        "search", filter.search(),
        "limit", Page.probeLimit(filter.top()),
        "offset", filter.skip()))
      .map(rows -> {
        List<FleetDatabase> found = new ArrayList<>();
        Map<FleetState, Long> counts = new EnumMap<>(FleetState.class);
        long matching = 0;
        for (Row row : rows) {
          matching = row.getLong("matching");
          counts.put(FleetState.FAILING, row.getLong("failing"));
          counts.put(FleetState.BEHIND, row.getLong("behind"));
          counts.put(FleetState.NOT_TARGETED, row.getLong("not_targeted"));
          counts.put(FleetState.CURRENT, row.getLong("current"));
          if (row.getString("state") != null) {
            found.add(FleetDatabase.of(row, steps));
          }
        }
        EnumSet.allOf(FleetState.class).forEach(state -> counts.putIfAbsent(state, 0L));
        return new Fleet(Page.of(found, filter.top()), matching, counts);
      });
  }
}
