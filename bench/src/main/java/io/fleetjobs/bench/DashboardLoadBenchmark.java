package io.fleetjobs.bench;

import io.fleetjobs.bench.support.FreePorts;
import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * How long the dashboard's pages take to show their data in a real headless Chromium, cold (a new browser
 * with an empty cache for every visit), against agents on their embedded default job database: one with an
 * empty job database, the baseline, and one with 100 jobs and 10,000 job executions (each with its step and
 * target row, plus a week of per-minute metrics). Same pages, code and browser; only the data differs.
 *
 * <p>A page counts as shown when its {@code main} carries its data-page and is no longer aria-busy (the
 * hooks in webapp/README.md), timed by the page's own clock from the start of navigation. The two job
 * databases belong to two agents in one process, visited in turn. Usage:
 * DashboardLoadBenchmark [samples] (default 7); the median, minimum and maximum are printed.
 */
public final class DashboardLoadBenchmark {
  static final String TOKEN = "fjt_benchmark_admin_token_not_secret_0000";
  private static final int JOBS = 100;
  private static final int EXECUTIONS = 10_000;
  /** Notes when each page first shows, from the page's first instant; installed before any page script runs. */
  private static final String READY_RECORDER = """
      window.__shown = {};
      new MutationObserver(() => {
        const main = document.getElementById('main');
        if (!main || main.getAttribute('aria-busy') === 'true' || !main.dataset.page) return;
        if (!(main.dataset.page in window.__shown)) window.__shown[main.dataset.page] = performance.now();
      }).observe(document, {subtree: true, childList: true, attributes: true});
      """;

  private record Page(String label, String hash, String dataPage) {
  }

  private static final List<Page> PAGES = List.of(
    new Page("sign-in page (no API data)", "#/login", "login"),
    new Page("overview", "#/", "overview"),
    new Page("jobs", "#/jobs", "jobs"),
    new Page("executions", "#/executions", "executions"));

  public static void main(String[] args) throws Exception {
    int samples = args.length == 0 ? 7 : Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    Agent empty = null;
    Agent seeded = null;
    try {
      empty = startAgent(vertx, Files.createTempDirectory("fleetjobs-bench-empty"), FreePorts.next());
      Path seededDir = Files.createTempDirectory("fleetjobs-bench-seeded");
      int seededDbPort = FreePorts.next();
      seeded = startAgent(vertx, seededDir, seededDbPort);
      seed(vertx, seeded.httpPort(), seededDir, seededDbPort);
      System.out.printf(Locale.ROOT, "%-28s %26s %26s %7s%n", "page (ms: median [min-max])",
        "empty job database", JOBS + " jobs, " + EXECUTIONS + " executions", "ratio");
      for (Page page : PAGES) {
        double[][] times = measure(base(empty), base(seeded), page, samples);
        System.out.printf(Locale.ROOT, "%-28s %26s %26s %7.2f%n", page.label(), text(times[0]), text(times[1]),
          times[1][0] / times[0][0]);
      }
    } finally {
      for (Agent agent : new Agent[] {empty, seeded}) {
        if (agent != null) {
          agent.stop().await();
        }
      }
      vertx.close().await();
    }
  }

  /** An agent on its embedded default job database, in a directory of its own. */
  static Agent startAgent(Vertx vertx, Path dataDir, int dbPort) {
    return Agent.start(vertx, AgentConfig.fromJson(new JsonObject()
      .put("httpHost", "127.0.0.1")
      .put("httpPort", 0)
      .put("dataDir", dataDir.toString())
      .put("embeddedDbPort", dbPort)
      .put("bootstrapAdminToken", TOKEN))).await();
  }

  static String base(Agent agent) {
    return "http://127.0.0.1:" + agent.httpPort() + "/";
  }

  /**
   * Visits alternate between the two agents, so both see the same machine load and JIT state; three
   * untimed visits to each first warm the agents (not the browsers, which are new for every visit).
   * @return for each agent: median, min and max in ms
   */
  private static double[][] measure(String emptyBase, String seededBase, Page page, int samples) {
    for (int i = 0; i < 3; i++) {
      measureOnce(emptyBase, page);
      measureOnce(seededBase, page);
    }
    List<Double> baseline = new ArrayList<>();
    List<Double> loaded = new ArrayList<>();
    for (int i = 0; i < samples; i++) {
      baseline.add(measureOnce(emptyBase, page));
      loaded.add(measureOnce(seededBase, page));
    }
    return new double[][] {stats(baseline), stats(loaded)};
  }

  static double[] stats(List<Double> times) {
    Collections.sort(times);
    return new double[] {times.get(times.size() / 2), times.get(0), times.get(times.size() - 1)};
  }

  /** One visit in a browser of its own: an empty cache, as on a user's first visit. */
  private static double measureOnce(String base, Page page) {
    ChromeDriver browser = browser(!page.dataPage().equals("login"));
    try {
      browser.get(base + page.hash());
      Object shown = new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver ->
        browser.executeScript("return window.__shown && window.__shown[arguments[0]]", page.dataPage()));
      return ((Number) shown).doubleValue();
    } catch (TimeoutException e) {
      throw new IllegalStateException(page.label() + " never showed; recorded: "
        + browser.executeScript("return JSON.stringify(window.__shown)") + "; main: "
        + browser.executeScript("const m = document.getElementById('main'); return m && m.innerText.slice(0, 1500)"), e);
    } finally {
      browser.quit();
    }
  }

  static String text(double[] times) {
    return String.format(Locale.ROOT, "%.0f [%.0f-%.0f]", times[0], times[1], times[2]);
  }

  /**
   * @param signedIn whether the tab starts signed in, as after the sign-in page: the token is put in the
   *     tab's sessionStorage before the page's own scripts run
   */
  private static ChromeDriver browser(boolean signedIn) {
    return browser(signedIn, READY_RECORDER);
  }

  /** @param recorder a script that runs before any of the page's own, on every document of the tab */
  static ChromeDriver browser(boolean signedIn, String recorder) {
    ChromeOptions options = new ChromeOptions()
      .setBinary(System.getenv().getOrDefault("CHROME_BIN", "/usr/bin/chromium"))
      .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1280,800");
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(Path.of(System.getenv().getOrDefault("CHROMEDRIVER", "/usr/bin/chromedriver")).toFile())
      .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    String signIn = signedIn ? """
        sessionStorage.setItem('fleetjobs.token', '%s');
        sessionStorage.setItem('fleetjobs.me', JSON.stringify({name: 'admin', role: 'admin'}));
        """.formatted(TOKEN) : "";
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", signIn + recorder));
    return driver;
  }

  /** 100 jobs through the API; then 10,000 finished executions, 1 in 10 failed, over the last week, by SQL. */
  private static void seed(Vertx vertx, int port, Path dataDir, int dbPort) throws Exception {
    WebClient api = WebClient.create(vertx);
    put(api, port, "/credentials/bench", new JsonObject().put("username", "postgres").put("password", "x"));
    put(api, port, "/targetGroups/tenants", new JsonObject().put("members", new JsonArray().add(new JsonObject()
      .put("type", "SqlDatabase").put("serverName", "localhost:" + dbPort).put("databaseName", "tenant"))));
    for (int i = 0; i < JOBS; i++) {
      String job = String.format(Locale.ROOT, "nightly-maintenance-%03d", i);
      // Disabled, so the seeded history is all there is: enabled, a schedule that starts in the past runs at once.
      put(api, port, "/jobs/" + job, new JsonObject().put("description", "Index and statistics upkeep")
        .put("schedule", new JsonObject().put("type", "Recurring").put("interval", "PT1H").put("enabled", false)));
      put(api, port, "/jobs/" + job + "/steps/rebuild", new JsonObject().put("targetGroup", "tenants")
        .put("credential", "bench").put("action", new JsonObject().put("value", "SELECT 1")));
    }
    String password = Files.readString(dataDir.resolve("postgres.password")).trim();
    try (Connection db = DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/fleetjobs",
      "postgres", password); Statement sql = db.createStatement()) {
      sql.execute("""
          CREATE TEMP TABLE seeded AS
          SELECT gen_random_uuid() AS id, j.job_id, j.job_name, j.job_version,
                 CASE WHEN g %% 10 = 0 THEN 'Failed' ELSE 'Succeeded' END AS lifecycle,
                 now() - g * interval '1 minute' AS started
            FROM generate_series(1, %d) g
            JOIN (SELECT job_id, job_name, job_version, row_number() OVER (ORDER BY job_name) - 1 AS k
                    FROM jobs_internal.jobs) j ON j.k = g %% %d""".formatted(EXECUTIONS, JOBS));
      sql.execute("""
          INSERT INTO jobs_internal.job_executions
            (job_execution_id, job_id, job_version, lifecycle, create_time, start_time, end_time, last_message,
             trigger_type)
          SELECT id, job_id, job_version, lifecycle, started, started, started + interval '2 seconds',
                 'Job execution ' || lower(lifecycle) || '.', 'Manual'
            FROM seeded""");
      sql.execute("""
          INSERT INTO jobs_internal.step_executions
            (job_execution_id, step_id, step_name, target_group_name, lifecycle, create_time, start_time, end_time)
          SELECT id, 1, 'rebuild', 'tenants', lifecycle, started, started, started + interval '2 seconds'
            FROM seeded""");
      sql.execute("""
          INSERT INTO jobs_internal.target_executions
            (job_execution_id, step_id, job_id, step_name, target_type, engine, server_name, database_name,
             lifecycle, create_time, start_time, end_time, current_attempts, max_attempts, last_message,
             parallel_group)
          SELECT id, 1, job_id, 'rebuild', 'SqlDatabase', 'postgresql', 'localhost', 'tenant', lifecycle,
                 started, started, started + interval '2 seconds', 1, 1,
                 CASE WHEN lifecycle = 'Failed' THEN 'ERROR: deadlock detected' ELSE 'Succeeded.' END, 'localhost'
            FROM seeded""");
      sql.execute("""
          INSERT INTO jobs_internal.metric_counts
            (bucket_start, metric_name, job_name, step_name, target_server, target_database, count)
          SELECT date_trunc('minute', started),
                 CASE WHEN lifecycle = 'Failed' THEN 'elastic_jobs_failed' ELSE 'elastic_jobs_successful' END,
                 job_name, 'rebuild', 'localhost', 'tenant', count(*)
            FROM seeded GROUP BY 1, 2, 3""");
      sql.execute("ANALYZE");
    }
  }

  static void put(WebClient api, int port, String path, JsonObject body) {
    int status = api.put(port, "127.0.0.1", "/api/v1" + path).bearerTokenAuthentication(TOKEN)
      .sendJsonObject(body).await().statusCode();
    if (status >= 300) {
      throw new IllegalStateException("PUT " + path + " answered " + status);
    }
  }

}
