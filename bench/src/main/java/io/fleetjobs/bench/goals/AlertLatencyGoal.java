package io.fleetjobs.bench.goals;

import io.fleetjobs.bench.support.AgentApi;
import io.fleetjobs.bench.support.BenchAgent;
import io.fleetjobs.bench.support.JobDatabases;
import io.fleetjobs.bench.support.Stats;
import io.fleetjobs.bench.support.Table;
import io.fleetjobs.bench.support.TargetServers;
import io.fleetjobs.server.config.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Goal 4 (alert latency): 10 jobs run at once, each over its own databases, with one target in {@code failEvery}
 * failing (a division by zero), and one alert rule per job: Failed, Total &gt; 0, PT1M, split by database, so
 * every failed target fires its own alert. A real HTTP receiver, on a Vert.x of its own, takes the webhooks. For each failed target: the
 * time from its end, as the job database recorded it, to the arrival of its webhook.
 *
 * <p>Each round is a new agent on a new job database, in the benchmark's JVM. The first round is the first burst of
 * alerts this JVM has seen, so its evaluator and delivery run interpreted and half-compiled code, competing with
 * the JIT's own threads for the two cores; the later rounds show an agent that has alerted before, as one that
 * has run for a while has. Both are printed.
 */
public final class AlertLatencyGoal {
  private static final int JOBS = 10;
  /** How long after the runs end a late or second webhook is still waited for. */
  private static final Duration GRACE = Duration.ofSeconds(5);

  private AlertLatencyGoal() {
  }

  record Arrival(long millis, JsonObject payload) {
  }

  /** What one round measured: counts of targets and webhooks, and each failed target's times in milliseconds. */
  private record Round(int failed, int webhooks, long once, long twice, List<Double> latencies, List<Double> evaluation,
                       List<Double> outbox, List<Double> toTransaction, List<Double> toAttempt) {
  }

  /** @param rounds how many agents, one after another; the first is the JVM's first burst of alerts */
  public static void run(Vertx vertx, TargetServers targets, JobDatabases jobServer, int perJob, int failEvery,
                         int rounds) throws Exception {
    targets.ensureDatabases(Math.min(1000, JOBS * perJob));
    Table table = new Table("round", "targets", "failed targets", "webhooks for them", "delivered exactly once",
      "more than once", "p50 (ms)", "p99 (ms)", "max (ms)", "goal p99 (ms)", "end to fired p50 / p99 (ms)",
      "fired to sending p50 / p99 (ms)", "of which to the evaluation's transaction / after it, p50 / p99 (ms)");
    List<Double> laterP99 = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      Round measured = round(vertx, targets, jobServer, perJob, failEvery);
      double p99 = Stats.percentile(measured.latencies(), 99);
      if (round > 1) {
        laterP99.add(p99);
      }
      table.row(round == 1 ? "1 (the JVM's first alerts)" : String.valueOf(round), JOBS * perJob, measured.failed(),
        measured.webhooks(), measured.once(), measured.twice(),
        String.format("%.0f", Stats.median(measured.latencies())), String.format("%.0f", p99),
        String.format("%.0f", Stats.max(measured.latencies())), 1000, spread(measured.evaluation()),
        spread(measured.outbox()), spread(measured.toTransaction()) + " · " + spread(measured.toAttempt()));
    }
    if (laterP99.size() > 1) {
      table.row("median of rounds 2 to " + rounds, "", "", "", "", "", "",
        String.format("%.0f", Stats.median(laterP99)), "", 1000, "", "", "");
    }
    table.print("Goal 4: alert latency, " + JOBS + " jobs of " + perJob + " targets, 1 in " + failEvery
      + " failing, from each failed target's recorded end to its webhook; each round a new agent in the same JVM");
  }

  private static Round round(Vertx vertx, TargetServers targets, JobDatabases jobServer, int perJob, int failEvery)
    throws Exception {
    List<Arrival> arrivals = new ArrayList<>();
    Map<String, Integer> fired = new ConcurrentHashMap<>();
    // The receiver has event loops of its own, as a receiver on another machine would: on the agent's, a webhook's
    // arrival waited behind the agent's own work and was counted as the agent's latency.
    Vertx receiving = Vertx.vertx();
    HttpServer receiver = receiving.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      long now = System.currentTimeMillis();
      request.response().setStatusCode(200).end();
      JsonObject payload = body.toJsonObject();
      synchronized (arrivals) {
        arrivals.add(new Arrival(now, payload));
      }
    })).listen(0, "127.0.0.1").await();
    String database = jobServer.create();
    try (BenchAgent agent = BenchAgent.start(vertx, jobServer.url(database), Tier.JA100,
        new JsonObject().put("webhookAllow", "127.0.0.1"))) {
      AgentApi api = agent.api();
      api.put("/actionGroups/bench", new JsonObject().put("webhookReceivers", new JsonArray().add(new JsonObject()
        .put("name", "receiver").put("serviceUri", "http://127.0.0.1:" + receiver.actualPort() + "/hook"))));
      String script = "SELECT 1 / (right(current_database(), 4)::integer % " + failEvery + ")";
      for (int j = 0; j < JOBS; j++) {
        List<String> databases = new ArrayList<>();
        for (int i = 0; i < perJob; i++) {
          databases.add(TargetServers.database((j * perJob + i) % 1000));
        }
        api.job("job_" + j, AgentApi.databases(targets.serverName(0), databases), script);
        api.put("/alertRules/job_" + j, rule("job_" + j));
      }
      List<String> ids = new ArrayList<>();
      for (int j = 0; j < JOBS; j++) {
        ids.add(api.start("job_" + j));
      }
      for (int j = 0; j < JOBS; j++) {
        api.awaitEnd("job_" + j, ids.get(j), Duration.ofMinutes(20));
      }
      Map<String, Long> ended = new HashMap<>();
      for (List<String> row : jobServer.rows(database, """
          SELECT j.job_name || '/' || t.database_name, (1000 * extract(epoch FROM t.end_time))::bigint
            FROM jobs_internal.target_executions t JOIN jobs_internal.jobs j USING (job_id)
           WHERE t.lifecycle = 'Failed'""")) {
        ended.put(row.get(0), Long.parseLong(row.get(1)));
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (firedCount(arrivals) < ended.size() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      Thread.sleep(GRACE.toMillis());
      List<Double> latencies = new ArrayList<>();
      synchronized (arrivals) {
        for (Arrival arrival : arrivals) {
          JsonObject essentials = arrival.payload().getJsonObject("data").getJsonObject("essentials");
          if (!"Fired".equals(essentials.getString("monitorCondition"))) {
            continue;
          }
          String key = essentials.getString("alertRule") + "/" + dimension(arrival.payload(), "targetDatabase");
          fired.merge(key, 1, Integer::sum);
          Long end = ended.get(key);
          if (end != null) {
            latencies.add((double) (arrival.millis() - end));
          }
        }
      }
      List<Double> evaluation = new ArrayList<>();
      List<Double> outbox = new ArrayList<>();
      // Fired to sending, split where the notification row was written: its created_at is the evaluation
      // transaction's start, so the first part is the wait for that transaction, the second its work, its commit,
      // the claim and the attempt's start.
      List<Double> toTransaction = new ArrayList<>();
      List<Double> toAttempt = new ArrayList<>();
      for (List<String> row : jobServer.rows(database, """
          SELECT 1000 * extract(epoch FROM a.fired_at - t.end_time), 1000 * extract(epoch FROM min(d.started_at) - a.fired_at),
                 1000 * extract(epoch FROM n.created_at - a.fired_at), 1000 * extract(epoch FROM min(d.started_at) - n.created_at)
            FROM jobs_internal.target_executions t JOIN jobs_internal.jobs j USING (job_id)
            JOIN alerts.alerts a ON a.rule_name = j.job_name
             AND a.dimensions @> jsonb_build_array(jsonb_build_object('name', 'targetDatabase', 'value', t.database_name))
            JOIN alerts.notifications n ON n.alert_id = a.alert_id AND n.monitor_condition = 'Fired'
            JOIN alerts.delivery_attempts d ON d.notification_id = n.notification_id
           WHERE t.lifecycle = 'Failed'
           GROUP BY t.target_execution_id, a.fired_at, t.end_time, n.created_at""")) {
        evaluation.add(Double.parseDouble(row.get(0)));
        outbox.add(Double.parseDouble(row.get(1)));
        toTransaction.add(Double.parseDouble(row.get(2)));
        toAttempt.add(Double.parseDouble(row.get(3)));
      }
      long once = ended.keySet().stream().filter(key -> fired.getOrDefault(key, 0) == 1).count();
      long twice = fired.values().stream().filter(count -> count > 1).count();
      return new Round(ended.size(), latencies.size(), once, twice, latencies, evaluation, outbox, toTransaction,
        toAttempt);
    } finally {
      receiver.close().await();
      receiving.close().await();
    }
  }

  private static String spread(List<Double> millis) {
    return millis.isEmpty() ? "none" : String.format("%.0f / %.0f", Stats.median(millis), Stats.percentile(millis, 99));
  }

  private static long firedCount(List<Arrival> arrivals) {
    synchronized (arrivals) {
      return arrivals.stream().filter(a -> "Fired".equals(a.payload().getJsonObject("data")
        .getJsonObject("essentials").getString("monitorCondition"))).count();
    }
  }

  private static String dimension(JsonObject payload, String name) {
    JsonArray dimensions = payload.getJsonObject("data").getJsonObject("alertContext").getJsonObject("condition")
      .getJsonArray("allOf").getJsonObject(0).getJsonArray("dimensions");
    for (int i = 0; i < dimensions.size(); i++) {
      if (name.equals(dimensions.getJsonObject(i).getString("name"))) {
        return dimensions.getJsonObject(i).getString("value");
      }
    }
    return "";
  }

  /** Failed, Total &gt; 0 over PT1M, for this job, one alert per database. */
  private static JsonObject rule(String job) {
    return new JsonObject()
      .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
        .put("metricName", "Elastic Jobs Executions Failed").put("timeAggregation", "Total")
        .put("operator", "GreaterThan").put("threshold", 0)
        .put("dimensions", new JsonArray()
          .add(new JsonObject().put("name", "jobName").put("operator", "Include").put("values", new JsonArray().add(job)))
          .add(new JsonObject().put("name", "targetDatabase").put("operator", "Include")
            .put("values", new JsonArray().add("*")))))))
      .put("windowSize", "PT1M").put("evaluationFrequency", "PT1M")
      .put("actions", new JsonArray().add("bench"));
  }
}
