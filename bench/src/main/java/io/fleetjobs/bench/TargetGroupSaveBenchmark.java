package io.fleetjobs.bench;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How long saving a target group of N members takes over the API, against an agent on its embedded default
 * job database (durable commits, as {@code java -jar fleetjobs.jar} runs). For each N, in the same run: the
 * first PUT (every member new), the same body again (nothing changes, every targetId is kept), a PUT that
 * replaces a tenth of the members, and, as the baseline, a GET of the same group (the same N members through
 * the same API and JSON, without validating or storing them). The PUTs go through the OpenAPI validation of
 * the body and jobs_internal.save_target_group in one transaction.
 *
 * <p>Usage: TargetGroupSaveBenchmark [N ...] (default 1000 5000 10000). Each case runs once untimed on a
 * group of its own, then 5 times timed (-Dsamples=n for another count); the median, minimum and maximum are printed, in ms.
 */
public final class TargetGroupSaveBenchmark {
  private static final String TOKEN = "fjt_benchmark_admin_token_not_secret_0000";
  /** Timed samples per case; -Dsamples=1 for a quick look. */
  private static final int SAMPLES = Integer.getInteger("samples", 5);

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String arg : args.length == 0 ? new String[] {"1000", "5000", "10000"} : args) {
      sizes.add(Integer.parseInt(arg));
    }
    Vertx vertx = Vertx.vertx();
    Agent agent = null;
    try {
      agent = Agent.start(vertx, AgentConfig.fromJson(new JsonObject()
        .put("httpHost", "127.0.0.1")
        .put("httpPort", 0)
        .put("dataDir", Files.createTempDirectory("fleetjobs-bench-groups").toString())
        .put("bootstrapAdminToken", TOKEN))).await();
      Api api = new Api(WebClient.create(vertx), agent.httpPort());
      // Times on a shared machine move with what else runs: the load says how busy it was.
      System.out.printf(Locale.ROOT, "load average at start: %.1f%n", loadAverage());
      System.out.printf(Locale.ROOT, "%6s %24s %24s %24s %24s%n", "N (ms: median [min-max])", "first PUT",
        "unchanged re-PUT", "re-PUT, 10% replaced", "GET (baseline)");
      int group = 0;
      for (int n : sizes) {
        List<Double> first = new ArrayList<>();
        List<Double> unchanged = new ArrayList<>();
        List<Double> replaced = new ArrayList<>();
        List<Double> read = new ArrayList<>();
        try {
          for (int sample = 0; sample <= SAMPLES; sample++) {
            String path = "/targetGroups/bench-" + n + "-" + group++;
            double created = api.put(path, members(n, 0));
            double same = api.put(path, members(n, 0));
            double changed = api.put(path, members(n, n / 10));
            double got = api.get(path, n);
            if (sample > 0) {
              first.add(created);
              unchanged.add(same);
              replaced.add(changed);
              read.add(got);
            }
          }
          System.out.printf(Locale.ROOT, "%6d %24s %24s %24s %24s%n", n, text(first), text(unchanged),
            text(replaced), text(read));
        } catch (IllegalStateException refused) {
          // What a save too slow for the job database's statement timeout looks like: say so, and go on.
          System.out.printf(Locale.ROOT, "%6d %s%n", n, refused.getMessage());
        }
      }
      System.out.printf(Locale.ROOT, "load average at end: %.1f%n", loadAverage());
    } finally {
      if (agent != null) {
        agent.stop().await();
      }
      vertx.close().await();
    }
  }

  /** N SqlDatabase members over 100 servers; the first {@code renamed} select other databases than before. */
  private static JsonObject members(int n, int renamed) {
    JsonArray members = new JsonArray();
    for (int i = 0; i < n; i++) {
      members.add(new JsonObject()
        .put("type", "SqlDatabase")
        .put("serverName", "pg" + (i % 100) + ".example.com:5432")
        .put("databaseName", (i < renamed ? "moved_" : "tenant_") + i));
    }
    return new JsonObject().put("members", members);
  }

  private record Api(WebClient client, int port) {
    double put(String path, JsonObject body) {
      long start = System.nanoTime();
      HttpResponse<Buffer> response = client.put(port, "127.0.0.1", "/api/v1" + path)
        .bearerTokenAuthentication(TOKEN)
        .sendJsonObject(body)
        .await();
      double ms = (System.nanoTime() - start) / 1e6;
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(String.format(Locale.ROOT, "PUT failed: %d after %.0f ms (%s)",
          response.statusCode(), ms, response.bodyAsJsonObject().getJsonObject("error").getString("message")));
      }
      return ms;
    }

    double get(String path, int expected) {
      long start = System.nanoTime();
      HttpResponse<Buffer> response = client.get(port, "127.0.0.1", "/api/v1" + path)
        .bearerTokenAuthentication(TOKEN)
        .send()
        .await();
      double ms = (System.nanoTime() - start) / 1e6;
      int members = response.bodyAsJsonObject().getJsonArray("members").size();
      if (members != expected) {
        throw new IllegalStateException("GET " + path + ": " + members + " members, not " + expected);
      }
      return ms;
    }
  }

  private static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String text(List<Double> times) {
    List<Double> sorted = new ArrayList<>(times);
    Collections.sort(sorted);
    return String.format(Locale.ROOT, "%.0f [%.0f-%.0f]", sorted.get(sorted.size() / 2), sorted.get(0),
      sorted.get(sorted.size() - 1));
  }
}
