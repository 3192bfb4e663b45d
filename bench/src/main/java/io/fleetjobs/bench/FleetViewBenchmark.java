package io.fleetjobs.bench;

import io.fleetjobs.bench.support.FreePorts;
import io.fleetjobs.server.Agent;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The execution page and a job's fleet state at fleet size (issue 14), in a real headless Chromium, cold (a new
 * browser with an empty cache for every visit), against two agents on their embedded default job database: the
 * baseline, whose job ran on 2 databases, and one whose job ran three times on 10,000 (30,000 target rows, seeded
 * by SQL; no real databases). The last run has 20 Failed and 10 TimedOut targets, and skipped 1 in 20 databases,
 * which stay on the version before: the fleet state has databases current, behind and failing.
 *
 * <p>Three figures per agent, as in DashboardLoadBenchmark (the same browser set-up): the execution page until
 * its summary and its first page of targets are on screen; the same page's Failed chip until the table shows the
 * failures only; the job's Fleet state tab until its counts and first page are on screen. Then each API call those
 * pages make, timed from a Vert.x client, warm. Usage: FleetViewBenchmark [samples] (default 7).
 *
 * <p>{@code FleetViewBenchmark screenshots DIR} seeds the 10,000 alone and saves the README's screenshots of them
 * into DIR at 1280×800: execution-finished.png (the top of the execution page), execution-failures.png (its
 * failure groups, the first open) and fleet-state.png (the job's Fleet state tab).
 */
public final class FleetViewBenchmark {
  private static final int DATABASES = 10_000;
  private static final int BASELINE_DATABASES = 2;
  /** Notes when the execution page and the fleet state tab first show their data, by data-page. */
  private static final String READY_RECORDER = """
      window.__shown = {};
      new MutationObserver(() => {
        const main = document.getElementById('main');
        if (!main || main.getAttribute('aria-busy') === 'true') return;
        const page = main.dataset.page;
        if (page === 'execution') {
          const list = document.querySelector('[aria-label="Target list"]');
          if (!list || list.hasAttribute('aria-busy') || !list.querySelector('tr[data-target]')
              || !document.querySelector('[data-progress]')) return;
        } else if (page === 'job') {
          const fleet = document.querySelector('[aria-label="Fleet state"]');
          if (!fleet || fleet.hasAttribute('aria-busy') || !fleet.querySelector('tr[data-database]')
              || !document.querySelector('[data-fleet-counts][data-current]')) return;
        } else {
          return;
        }
        if (!(page in window.__shown)) window.__shown[page] = performance.now();
      }).observe(document, {subtree: true, childList: true, attributes: true});
      """;
  /** Clicks the Failed chip and answers how long until the table shows only Failed rows, in ms. */
  private static final String FILTER_TO_FAILED = """
      const done = arguments[arguments.length - 1];
      const list = document.querySelector('[aria-label="Target list"]');
      const chip = document.querySelector('button.chip[data-chip="Failed"]');
      const shown = () => {
        // The chips are drawn again with each page, so the pressed one is looked up afresh.
        const pressed = document.querySelector('button.chip[data-chip="Failed"]');
        if (list.hasAttribute('aria-busy') || pressed?.getAttribute('aria-pressed') !== 'true') return false;
        const rows = [...list.querySelectorAll('tr[data-target] .badge[data-lifecycle]')];
        return rows.length > 0 && rows.every((b) => b.dataset.lifecycle === 'Failed');
      };
      const started = performance.now();
      const watch = new MutationObserver(() => {
        if (shown()) {
          watch.disconnect();
          done(performance.now() - started);
        }
      });
      watch.observe(document.body, {subtree: true, childList: true, attributes: true});
      chip.click();
      """;

  private record Site(Agent agent, String execution) {
    String base() {
      return DashboardLoadBenchmark.base(agent);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("screenshots")) {
      screenshots(Path.of(args[1]));
      return;
    }
    int samples = args.length == 0 ? 7 : Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    List<Agent> agents = new ArrayList<>();
    try {
      Site baseline = site(vertx, agents, BASELINE_DATABASES);
      Site seeded = site(vertx, agents, DATABASES);
      WebClient client = WebClient.create(vertx);
      System.out.println("Fleet state of the 10,000: " + client.get(seeded.agent().httpPort(), "127.0.0.1",
          "/api/v1/jobs/migrate/fleetState?$top=1")
        .bearerTokenAuthentication(DashboardLoadBenchmark.TOKEN)
        .send()
        .await()
        .bodyAsJsonObject()
        .getJsonObject("counts")
        .encode());
      System.out.printf(Locale.ROOT, "%-44s %22s %22s %7s%n", "in the browser (ms: median [min-max])",
        BASELINE_DATABASES + " databases", DATABASES + " databases", "ratio");
      List<double[]>[] page = visits(baseline, seeded, samples);
      String[] labels = {"execution page: summary and first targets", "execution page: filter to Failed",
        "job page: fleet state tab"};
      for (int i = 0; i < labels.length; i++) {
        double[] b = DashboardLoadBenchmark.stats(column(page[0], i));
        double[] s = DashboardLoadBenchmark.stats(column(page[1], i));
        System.out.printf(Locale.ROOT, "%-44s %22s %22s %7.2f%n", labels[i], DashboardLoadBenchmark.text(b),
          DashboardLoadBenchmark.text(s), s[0] / b[0]);
      }
      System.out.printf(Locale.ROOT, "%n%-62s %18s %18s%n", "API, warm (ms: median [min-max])",
        BASELINE_DATABASES + " databases", DATABASES + " databases");
      for (String path : apiPaths()) {
        double[] b = DashboardLoadBenchmark.stats(api(client, baseline, path, samples * 3));
        double[] s = DashboardLoadBenchmark.stats(api(client, seeded, path, samples * 3));
        System.out.printf(Locale.ROOT, "%-62s %18s %18s%n", path, DashboardLoadBenchmark.text(b),
          DashboardLoadBenchmark.text(s));
      }
    } finally {
      for (Agent agent : agents) {
        agent.stop().await();
      }
      vertx.close().await();
    }
  }

  private static void screenshots(Path dir) throws Exception {
    Files.createDirectories(dir);
    Vertx vertx = Vertx.vertx();
    List<Agent> agents = new ArrayList<>();
    try {
      Site seeded = site(vertx, agents, DATABASES);
      ChromeDriver browser = DashboardLoadBenchmark.browser(true, READY_RECORDER);
      try {
        // The viewport itself, not the window around it, is 1280×800.
        browser.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", 800,
          "deviceScaleFactor", 1, "mobile", false));
        shown(browser, seeded.base() + "#/jobs/migrate/executions/" + seeded.execution(), "execution");
        save(browser, dir, "execution-finished");
        browser.executeScript("""
            const group = document.querySelector('details.failure-group');
            group.open = true;
            group.closest('section').scrollIntoView({block: 'start'});""");
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver -> (Boolean) browser.executeScript(
          "return document.querySelectorAll('details.failure-group[open] li').length > 0"));
        save(browser, dir, "execution-failures");
        shown(browser, seeded.base() + "?fleet#/jobs/migrate?tab=fleet", "job");
        save(browser, dir, "fleet-state");
      } finally {
        browser.quit();
      }
    } finally {
      for (Agent agent : agents) {
        agent.stop().await();
      }
      vertx.close().await();
    }
  }

  private static void save(ChromeDriver browser, Path dir, String name) throws Exception {
    Files.write(dir.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    System.out.println("Saved " + dir.resolve(name + ".png"));
  }

  private static List<String> apiPaths() {
    String execution = "/jobs/migrate/executions/{id}";
    return List.of(
      execution + "/summary",
      execution + "/targets?sort=lifecycle&$top=100",
      execution + "/targets?lifecycle=Failed&sort=lifecycle&$top=100",
      execution + "/targets?search=tenant_0999&sort=lifecycle&$top=100",
      execution + "/targets?sort=name&$skip=9900&$top=100",
      execution + "/targets?sort=name&$top=100&$skipToken={last:name}",
      execution + "/targets?sort=lifecycle&$top=100&$skipToken={last:lifecycle}",
      execution + "/targets?sort=endTime&$top=100&$skipToken={last:endTime}",
      execution + "/targets?sort=duration&$top=100",
      execution + "/failureGroups",
      "/jobs/migrate/fleetState?$top=100",
      "/jobs/migrate/fleetState?state=Behind&$top=100");
  }

  private static List<Double> column(List<double[]> rows, int i) {
    return new ArrayList<>(rows.stream().map(r -> r[i]).toList());
  }

  /** Visits alternate between the two agents after two untimed ones each; every visit is a new browser. */
  @SuppressWarnings("unchecked")
  private static List<double[]>[] visits(Site baseline, Site seeded, int samples) {
    for (int i = 0; i < 2; i++) {
      visit(baseline);
      visit(seeded);
    }
    List<double[]>[] times = new List[] {new ArrayList<double[]>(), new ArrayList<double[]>()};
    for (int i = 0; i < samples; i++) {
      times[0].add(visit(baseline));
      times[1].add(visit(seeded));
    }
    return times;
  }

  /** @return the execution page shown, the filter to Failed, the fleet state tab shown; in ms */
  private static double[] visit(Site site) {
    ChromeDriver browser = DashboardLoadBenchmark.browser(true, READY_RECORDER);
    try {
      browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
      double page = shown(browser, site.base() + "#/jobs/migrate/executions/" + site.execution(), "execution");
      double filter = ((Number) browser.executeAsyncScript(FILTER_TO_FAILED)).doubleValue();
      // A new document, so the tab is timed from its own navigation as the page was.
      double fleet = shown(browser, site.base() + "?fleet#/jobs/migrate?tab=fleet", "job");
      return new double[] {page, filter, fleet};
    } finally {
      browser.quit();
    }
  }

  private static double shown(ChromeDriver browser, String url, String dataPage) {
    browser.get(url);
    try {
      Object shown = new WebDriverWait(browser, Duration.ofSeconds(30)).until(driver ->
        browser.executeScript("return window.__shown && window.__shown[arguments[0]]", dataPage));
      return ((Number) shown).doubleValue();
    } catch (TimeoutException e) {
      throw new IllegalStateException(url + " never showed; main: " + browser.executeScript(
        "const m = document.getElementById('main'); return m && m.innerText.slice(0, 1500)"), e);
    }
  }

  private static List<Double> api(WebClient client, Site site, String template, int samples) {
    String uri = "/api/v1" + template.replace("{id}", site.execution());
    for (String sort : List.of("name", "lifecycle", "endTime")) {
      if (uri.contains("{last:" + sort + "}")) {
        uri = uri.replace("{last:" + sort + "}", lastPageToken(client, site, sort));
      }
    }
    List<Double> times = new ArrayList<>();
    for (int i = -5; i < samples; i++) {
      long start = System.nanoTime();
      int status = client.get(site.agent().httpPort(), "127.0.0.1", uri)
        .bearerTokenAuthentication(DashboardLoadBenchmark.TOKEN)
        .send()
        .await()
        .statusCode();
      if (status != 200) {
        throw new IllegalStateException("GET " + uri + " answered " + status);
      }
      if (i >= 0) {
        times.add((System.nanoTime() - start) / 1e6);
      }
    }
    return times;
  }

  /** The $skipToken of the last page of 100 (of the 10,000; of the baseline's 2, the page after its first row). */
  private static String lastPageToken(WebClient client, Site site, String sort) {
    String list = "/api/v1/jobs/migrate/executions/" + site.execution() + "/targets?sort=" + sort;
    long total = client.get(site.agent().httpPort(), "127.0.0.1", list + "&$top=1")
      .bearerTokenAuthentication(DashboardLoadBenchmark.TOKEN)
      .send()
      .await()
      .bodyAsJsonObject()
      .getLong("count");
    String before = total > 200 ? "&$top=100&$skip=" + (total - 200) : "&$top=1";
    return client.get(site.agent().httpPort(), "127.0.0.1", list + before)
      .bearerTokenAuthentication(DashboardLoadBenchmark.TOKEN)
      .send()
      .await()
      .bodyAsJsonObject()
      .getString("nextSkipToken");
  }

  /**
   * An agent whose job "migrate" (3 versions, one step on the group "tenants") ran once per version on every one
   * of {@code databases} databases on 10 servers; the runs are rows in the job database, not real runs.
   */
  private static Site site(Vertx vertx, List<Agent> agents, int databases) throws Exception {
    Path dataDir = Files.createTempDirectory("fleetjobs-bench-fleet-view");
    int dbPort = FreePorts.next();
    Agent agent = DashboardLoadBenchmark.startAgent(vertx, dataDir, dbPort);
    agents.add(agent);
    WebClient api = WebClient.create(vertx);
    int port = agent.httpPort();
    DashboardLoadBenchmark.put(api, port, "/credentials/bench", new JsonObject().put("username", "postgres")
      .put("password", "x"));
    DashboardLoadBenchmark.put(api, port, "/targetGroups/tenants", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", "10.20.0.1:5432")
        .put("databaseName", "tenant_00000"))));
    DashboardLoadBenchmark.put(api, port, "/jobs/migrate", new JsonObject().put("description", "Tenant schema"));
    for (int version = 1; version <= 3; version++) {
      DashboardLoadBenchmark.put(api, port, "/jobs/migrate/steps/migrate", new JsonObject()
        .put("targetGroup", "tenants").put("credential", "bench")
        .put("action", new JsonObject().put("value", "SELECT " + version)));
    }
    String password = Files.readString(dataDir.resolve("postgres.password")).trim();
    try (Connection db = DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/fleetjobs",
      "postgres", password); Statement sql = db.createStatement()) {
      sql.execute("""
          INSERT INTO jobs_internal.target_group_members
            (target_group_id, member_position, membership_type, target_type, engine, server_name, database_name)
          SELECT g.target_group_id, i, 'Include', 'SqlDatabase', 'postgresql', '10.20.0.' || (i %% 10 + 1) || ':5432',
                 format('tenant_%%s', lpad(i::text, 5, '0'))
            FROM jobs_internal.target_groups g, generate_series(1, %d) i""".formatted(databases - 1));
      sql.execute(SEED.formatted(databases - 1));
      sql.execute("ANALYZE");
      try (ResultSet last = sql.executeQuery("""
          SELECT job_execution_id FROM jobs_internal.job_executions WHERE job_version = 3""")) {
        last.next();
        return new Site(agent, last.getString(1));
      }
    }
  }

  /**
   * One execution per version, each with its step and a target row per database. Versions 1 and 2 succeeded
   * everywhere; version 3 failed on 1 database in 500 (a missing relation, 42P01), timed out on 1 in 1,000 and was
   * canceled before it reached 1 in 20, which stay behind on version 2.
   */
  private static final String SEED = """
      DO $$
      DECLARE j record; v int; e uuid;
      BEGIN
        SELECT job_id INTO j FROM jobs_internal.jobs WHERE job_name = 'migrate';
        FOR v IN 1..3 LOOP
          e := gen_random_uuid();
          INSERT INTO jobs_internal.job_executions
            (job_execution_id, job_id, job_version, lifecycle, create_time, start_time, end_time, trigger_type)
          VALUES (e, j.job_id, v, CASE WHEN v = 3 THEN 'Failed' ELSE 'Succeeded' END, now() - (4 - v) * interval '1 day',
                  now() - (4 - v) * interval '1 day', now() - (4 - v) * interval '1 day' + interval '10 minutes',
                  'Manual');
          INSERT INTO jobs_internal.step_executions
            (job_execution_id, step_id, step_name, target_group_name, lifecycle, create_time, start_time, end_time)
          VALUES (e, 1, 'migrate', 'tenants', CASE WHEN v = 3 THEN 'Failed' ELSE 'Succeeded' END,
                  now() - (4 - v) * interval '1 day', now() - (4 - v) * interval '1 day',
                  now() - (4 - v) * interval '1 day' + interval '10 minutes');
          INSERT INTO jobs_internal.target_executions
            (target_execution_id, job_execution_id, step_id, job_id, step_name, target_type, engine, server_name,
             server_key, database_name, lifecycle, create_time, start_time, end_time, current_attempts, max_attempts,
             last_message, parallel_group, last_error_code)
          SELECT gen_random_uuid(), e, 1, j.job_id, 'migrate', 'SqlDatabase', 'postgresql', t.server, t.server,
                 t.db, t.lifecycle, now() - (4 - v) * interval '1 day',
                 now() - (4 - v) * interval '1 day' + g * interval '50 ms',
                 now() - (4 - v) * interval '1 day' + g * interval '50 ms' + (g %% 97) * interval '10 ms', 1, 1,
                 CASE t.lifecycle
                   WHEN 'Succeeded' THEN format('Step 1 succeeded execution on target (server ''%%s'', database ''%%s'').', t.server, t.db)
                   WHEN 'Failed' THEN format('Attempt 1 of step 1 failed on target (server ''%%s'', database ''%%s''): statement 1 (line 1): ERROR: relation "orders" does not exist (42P01); not retried: a syntax error or access rule violation', t.server, t.db)
                   WHEN 'TimedOut' THEN format('Step 1 timed out on target (server ''%%s'', database ''%%s''); its statement was cancelled on the server.', t.server, t.db)
                   ELSE 'Canceled before it ran.' END,
                 t.server, CASE WHEN t.lifecycle = 'Failed' THEN '42P01' END
            FROM generate_series(0, %d) g,
                 LATERAL (SELECT '10.20.0.' || (g %% 10 + 1) || ':5432' AS server,
                                 format('tenant_%%s', lpad(g::text, 5, '0')) AS db,
                                 CASE WHEN v < 3 THEN 'Succeeded' WHEN g %% 500 = 1 THEN 'Failed'
                                      WHEN g %% 1000 = 2 THEN 'TimedOut' WHEN g %% 20 = 19 THEN 'Canceled'
                                      ELSE 'Succeeded' END AS lifecycle) t;
        END LOOP;
      END $$""";
}
