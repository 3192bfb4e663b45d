package io.fleetjobs.bench.goals;

import io.fleetjobs.bench.support.AgentApi;
import io.fleetjobs.bench.support.BenchAgent;
import io.fleetjobs.bench.support.ExecutionTimes;
import io.fleetjobs.bench.support.JobDatabaseWork;
import io.fleetjobs.bench.support.JobDatabases;
import io.fleetjobs.bench.support.Table;
import io.fleetjobs.bench.support.TargetServers;
import io.fleetjobs.server.config.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Several agents on one job database (issue 16), each with its own Vert.x instance, as separate processes would
 * be: the same run with 1, 2 and 3 agents, whose throughput must not drop as agents are added (the tier is the
 * cap, not the agent count); and a rolling restart, each agent stopped as SIGTERM stops it and replaced, one
 * at a time, during a run, which must lose nothing, spend no attempt, and end no later than the restarts took.
 */
public final class AgentsGoal {
  private static final Tier TIER = Tier.JA100;
  private static final Duration PATIENCE = Duration.ofMinutes(20);

  private AgentsGoal() {
  }

  public static void run(TargetServers targets, JobDatabases jobServer, int thousands) throws Exception {
    targets.ensureDatabases(1000);
    List<String> servers = new ArrayList<>();
    for (int i = 0; i < thousands; i++) {
      servers.add(targets.serverName(i));
    }
    int n = thousands * 1000;
    Table table = new Table("agents", "wall (s)", "targets / s", "vs 1 agent", "targets run by each agent",
      "job-db xacts / target", "rows / target", "claim ms / target", "record ms / target");
    Double single = null;
    for (int agents = 1; agents <= 3; agents++) {
      try (Fleet fleet = Fleet.start(jobServer, agents)) {
        fleet.first().job("fleet", AgentApi.servers(servers), "SELECT 1");
        JobDatabaseWork.Mark mark = jobServer.mark(fleet.database);
        String id = fleet.first().start("fleet");
        fleet.first().awaitEnd("fleet", id, PATIENCE);
        ExecutionTimes times = fleet.succeeded(id, n);
        JobDatabaseWork work = mark.perTarget(n);
        double rate = n / times.wallSeconds();
        single = single == null ? rate : single;
        table.row(agents, times.wallSeconds(), String.format("%.0f", rate), String.format("%.2f", rate / single),
          fleet.shares(id), String.format("%.2f", work.transactions()), String.format("%.2f", work.rowsWritten()),
          work.claimMs(), work.recordMs());
      }
    }
    table.print("Issue 16: " + n + " targets (SELECT 1) on " + TIER + " with 1, 2 and 3 agents on one job database");
    rollingRestart(targets, jobServer);
  }

  /** 1,000 targets of pg_sleep(0.5) on 3 agents: once undisturbed, once with each agent restarted in turn. */
  private static void rollingRestart(TargetServers targets, JobDatabases jobServer) throws Exception {
    Table table = new Table("run", "wall (s)", "late by (s)", "agents down for (s)", "targets Succeeded",
      "most attempts on a target", "targets claimed again after a stop");
    double undisturbed = 0;
    for (boolean restart : new boolean[] {false, true}) {
      try (Fleet fleet = Fleet.start(jobServer, 3)) {
        fleet.first().job("rolling", AgentApi.servers(List.of(targets.serverName(0))), "SELECT pg_sleep(0.5)");
        String id = fleet.first().start("rolling");
        double down = 0;
        if (restart) {
          Thread.sleep(1000);
          // The first agent serves the API, so the restarts go from the last to the first.
          for (int i = 2; i >= 0; i--) {
            down += fleet.restart(i);
            Thread.sleep(1000);
          }
        }
        fleet.first().awaitEnd("rolling", id, PATIENCE);
        ExecutionTimes times = fleet.succeeded(id, 1000);
        undisturbed = restart ? undisturbed : times.wallSeconds();
        int attempts = (int) jobServer.number(fleet.database, "SELECT max(current_attempts) FROM"
          + " jobs_internal.target_executions WHERE job_execution_id = ?::uuid AND NOT expands_member", id);
        if (attempts != 1) {
          throw new IllegalStateException("A rolling restart spent an attempt: " + attempts + " on one target");
        }
        // A stopping agent hands its running targets back unspent; the next claim takes them again.
        int claimedAgain = (int) jobServer.number(fleet.database, "SELECT count(*) FROM jobs_internal.target_executions"
          + " WHERE job_execution_id = ?::uuid AND NOT expands_member AND claim > 1", id);
        table.row(restart ? "3 restarts, one at a time" : "undisturbed", times.wallSeconds(),
          restart ? times.wallSeconds() - undisturbed : 0.0, down, times.succeeded(), attempts, claimedAgain);
      }
    }
    table.print("Issue 16: a rolling restart of 3 agents during 1,000 targets of pg_sleep(0.5) on " + TIER);
  }

  /** Agents sharing one fresh job database and one master key, each on its own Vert.x. */
  private static final class Fleet implements AutoCloseable {
    private final JobDatabases jobServer;
    private final String database;
    private final JsonObject configuration;
    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<BenchAgent> agents = new ArrayList<>();

    private Fleet(JobDatabases jobServer, String database) {
      this.jobServer = jobServer;
      this.database = database;
      this.configuration = BenchAgent.configuration(jobServer.url(database), TIER);
    }

    static Fleet start(JobDatabases jobServer, int agents) throws Exception {
      Fleet fleet = new Fleet(jobServer, jobServer.create());
      for (int i = 0; i < agents; i++) {
        fleet.vertxes.add(Vertx.vertx());
        fleet.agents.add(BenchAgent.start(fleet.vertxes.get(i), fleet.configuration.copy()));
      }
      return fleet;
    }

    AgentApi first() {
      return agents.get(0).api();
    }

    /** Stops agent {@code i} as SIGTERM does, then starts its replacement; the seconds it was down. */
    double restart(int i) {
      long started = System.nanoTime();
      agents.get(i).close();
      agents.set(i, BenchAgent.start(vertxes.get(i), configuration.copy()));
      return (System.nanoTime() - started) / 1e9;
    }

    ExecutionTimes succeeded(String id, int n) throws Exception {
      ExecutionTimes times = ExecutionTimes.of(jobServer, database, id);
      if (times.succeeded() != n) {
        throw new IllegalStateException(times.succeeded() + " of " + n + " targets succeeded; the others: "
          + jobServer.rows(database, """
              SELECT t.database_name, t.lifecycle, t.current_attempts, t.claim, t.last_message,
                     (SELECT string_agg(a.agent || ' ' || a.outcome || ' ' || coalesce(a.message, ''), '; ' ORDER BY a.claim)
                        FROM jobs_internal.target_attempts a WHERE a.target_execution_id = t.target_execution_id)
                FROM jobs_internal.target_executions t
               WHERE t.job_execution_id = ?::uuid AND NOT t.expands_member AND t.lifecycle <> 'Succeeded'""", id));
      }
      return times;
    }

    /** How many targets each agent ran, from the attempts' history. */
    String shares(String id) throws Exception {
      List<String> counts = new ArrayList<>();
      for (List<String> row : jobServer.rows(database, """
          SELECT count(*) FROM jobs_internal.target_attempts a
            JOIN jobs_internal.target_executions t USING (target_execution_id)
           WHERE t.job_execution_id = ?::uuid AND NOT t.expands_member AND a.outcome = 'Succeeded'
           GROUP BY a.agent ORDER BY 1 DESC""", id)) {
        counts.add(row.get(0));
      }
      return String.join(" / ", counts);
    }

    @Override
    public void close() {
      agents.forEach(BenchAgent::close);
      vertxes.forEach(vertx -> vertx.close().await());
    }
  }
}
