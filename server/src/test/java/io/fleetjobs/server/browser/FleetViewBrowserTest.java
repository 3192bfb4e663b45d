package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Seeing a fleet in the dashboard, on a real agent and real databases: a run of 2,000 targets (100 databases
 * reached as 20 servers, see {@link LoopbackFleet}) of which 30 fail in two ways; who is behind after a step
 * changes; adding 500 members at once; and what a reader sees. Keeps the screenshots in
 * target/screenshots (execution-live, execution-finished, execution-failures, execution-drawer, fleet-state,
 * target-group).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetViewBrowserTest {
  private static final int SERVERS = 20;
  private static final int DATABASES = 100;
  private static final Duration RUN = Duration.ofMinutes(4);
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final By PAGER = By.cssSelector("nav[aria-label='Target pages']");
  private static final String PROGRESS = "section[aria-label='Summary'] [role='progressbar']";
  /**
   * Fails on 30 targets, told apart by the address the agent connected to: a missing relation on 20 databases of
   * server 3, a division by zero on 10 of server 4. Each target sleeps a little, so the run is seen moving.
   */
  private static final String MIGRATE = """
      DO $$ BEGIN
        PERFORM pg_sleep(0.02);
        IF host(inet_server_addr()) = '127.0.0.3' AND current_database() < 'fleet_020' THEN
          EXECUTE 'SELECT 1 FROM fleet_marker';
        END IF;
        IF host(inet_server_addr()) = '127.0.0.4' AND current_database() < 'fleet_010' THEN
          PERFORM 1 / (SELECT count(*)::int FROM pg_tables WHERE tablename = 'fleet_marker');
        END IF;
      END $$""";

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  private static LoopbackFleet fleet;
  private static AgentFixture agent;
  private static Executions executions;
  private static String run;

  @BeforeAll
  static void start(Vertx vertx) {
    fleet = LoopbackFleet.start(SERVERS);
    fleet.createDatabases(IntStream.range(0, DATABASES).mapToObj(FleetViewBrowserTest::database).toList());
    agent = AgentFixture.start(vertx, "browser_fleet_view");
    executions = new Executions(agent.admin());
    browser.baseUrl("http://127.0.0.1:" + agent.port());
    ok(agent.admin().put("/credentials/fleet", new JsonObject().put("username", Scenario.USERNAME)
      .put("password", Scenario.PASSWORD)));
    JsonArray servers = new JsonArray();
    for (int server = 1; server <= SERVERS; server++) {
      servers.add(new JsonObject().put("type", "SqlServer").put("serverName", fleet.serverName(server))
        .put("refreshCredential", "fleet"));
    }
    ok(agent.admin().put("/targetGroups/fleet", new JsonObject().put("members", servers)));
    ok(agent.admin().put("/jobs/migrate-fleet", new JsonObject().put("description", "Adds the orders view")));
    ok(agent.admin().put("/jobs/migrate-fleet/steps/migrate", step("fleet", MIGRATE, 1)));
  }

  @AfterAll
  static void stop() {
    agent.close();
    fleet.close();
  }

  @Test
  @Order(1)
  void a_run_of_2000_targets_shows_its_progress_live_up_to_100_percent_without_a_reload() {
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/jobs/migrate-fleet", "job");
    browser.js("window.__marker = 'one document'");
    browser.markStale();
    browser.click("Start now");
    browser.awaitPage("execution");
    browser.awaitElement(By.cssSelector("#live-status[data-state='connected']"));
    run = browser.driver().getCurrentUrl().replaceAll(".*/executions/", "");

    List<Integer> seen = new ArrayList<>();
    boolean[] kept = {false};
    browser.await("the progress bar at 100 %", RUN, d -> {
      int percent = Integer.parseInt(d.findElement(By.cssSelector(PROGRESS)).getAttribute("aria-valuenow"));
      if (seen.isEmpty() || seen.get(seen.size() - 1) != percent) {
        seen.add(percent);
      }
      if (!kept[0] && percent >= 10 && percent <= 85) {
        kept[0] = true;
        browser.screenshot("execution-live");
      }
      return percent == 100;
    });
    assertEquals("one document", browser.js("return window.__marker"), "the page was not reloaded");
    assertTrue(seen.get(0) < 100 && seen.size() > 2, "the bar moved on its own: " + seen);
    assertEquals("Failed", browser.await("the run to end", PATIENCE, d -> {
      String lifecycle = d.findElement(By.cssSelector("section[aria-label='Summary'] .badge[data-lifecycle]"))
        .getAttribute("data-lifecycle");
      return lifecycle.equals("Failed") ? lifecycle : null;
    }));
    JsonObject summary = agent.admin().get("/jobs/migrate-fleet/executions/" + run + "/summary").bodyAsJsonObject();
    assertEquals(2000, summary.getJsonObject("targets").getInteger("total"), summary.encode());
    assertEquals(30, summary.getJsonObject("targets").getInteger("failed"), summary.encode());
    String counts = browser.textOf(By.cssSelector("[data-progress]"));
    assertTrue(counts.contains("2,000 of 2,000 targets done") && counts.contains("30 failed"), counts);
    browser.await("the failure groups", d -> d.findElements(By.cssSelector("details.failure-group")).size() == 2);
    Long tableTop = (Long) browser.js(
      "return Math.round(document.querySelector('[data-targets]').getBoundingClientRect().top + window.scrollY)");
    assertTrue(tableTop < 2 * BrowserSession.DESKTOP.getHeight(), "the targets start " + tableTop + " px down");
    browser.js("window.scrollTo(0, 0)");
    browser.screenshot("execution-finished");

    // The table pages by the server's cursor ($skipToken): on to the second page and back to the first.
    List<String> first = awaitRows(100);
    browser.click(PAGER, "Next page");
    browser.await("the second page", d -> range().startsWith("101–200 of 2,000"));
    List<String> second = awaitRows(100);
    assertTrue(second.stream().noneMatch(first::contains), "the second page repeats no row of the first");
    browser.click(PAGER, "Previous page");
    browser.await("the first page again", d -> range().startsWith("1–100 of 2,000"));
    assertEquals(first, awaitRows(100));
  }


  private static String range() {
    return browser.driver().findElement(By.cssSelector("nav[aria-label='Target pages'] [data-range]")).getText();
  }

  @Test
  @Order(2)
  void the_30_failures_are_two_groups_the_table_filters_to_them_and_a_target_opens_its_attempts() {
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/executions/" + run, "execution");
    List<WebElement> groups = browser.await("two failure groups",
      d -> listOf(d.findElements(By.cssSelector("details.failure-group")), 2));
    assertEquals("20 targets", groups.get(0).findElement(By.cssSelector(".failure-count")).getText());
    assertEquals("42P01", groups.get(0).getAttribute("data-error-code"));
    assertTrue(groups.get(0).getText().contains("relation \"fleet_marker\" does not exist"), groups.get(0).getText());
    assertEquals("10 targets", groups.get(1).findElement(By.cssSelector(".failure-count")).getText());
    assertEquals("22012", groups.get(1).getAttribute("data-error-code"));
    groups.get(0).findElement(By.tagName("summary")).click();
    browser.await("the group's 20 databases", d -> d.findElements(By.cssSelector("details.failure-group ul.names li"))
      .size() == 20);
    browser.scrollTo(groups.get(0));
    browser.screenshot("execution-failures");

    browser.click(groups.get(0), "Show in the table");
    List<String> shown = awaitRows(20);
    assertTrue(shown.stream().allMatch(t -> t.startsWith(LoopbackFleet.address(3) + ":")), shown.toString());

    browser.awaitElement(By.cssSelector("button.chip[data-chip='Failed']")).click();
    awaitRows(30);
    browser.awaitElement(By.cssSelector("button.chip[data-chip='Failed'][aria-pressed='true']"));
    assertTrue(browser.awaitElement(By.cssSelector("[aria-label='Target list'] .list-count")).getText()
      .startsWith("30 targets"), "the count is the server's");
    assertTrue(browser.driver().findElements(By.cssSelector("[aria-label='Target list'] tr[data-target] .badge"))
      .stream().allMatch(b -> "Failed".equals(b.getAttribute("data-lifecycle"))));

    WebElement first = browser.awaitElement(By.cssSelector("[aria-label='Target list'] tr[data-target]"));
    browser.click(first, "Details");
    WebElement drawer = browser.awaitElement(By.cssSelector("aside.drawer"));
    List<String> outcomes = browser.await("two attempts", d -> {
      List<String> found = d.findElements(By.cssSelector("aside.drawer tr[data-attempt] .badge")).stream()
        .map(b -> b.getAttribute("data-lifecycle"))
        .toList();
      return found.size() == 2 ? found : null;
    });
    assertEquals(List.of("WaitingForRetry", "Failed"), outcomes, "retryOn Any tried each failure twice");
    assertTrue(drawer.getText().contains("SqlLogin") && drawer.getText().contains("fleet_0"), drawer.getText());
    browser.screenshot("execution-drawer");
    browser.click(drawer, "Close");

    browser.click("Copy failed names");
    WebElement names = browser.awaitElement(By.cssSelector("textarea[name='copiedNames']"));
    browser.await("30 names", d -> names.getAttribute("value").lines().count() == 30);
  }

  @Test
  @Order(3)
  void the_fleet_state_shows_databases_behind_after_the_step_changes_and_none_after_a_rerun() {
    String first = fleet.serverName(5);
    JsonArray six = new JsonArray();
    for (int i = 0; i < 6; i++) {
      six.add(new JsonObject().put("type", "SqlDatabase").put("serverName", first).put("databaseName", database(i)));
    }
    ok(agent.admin().put("/targetGroups/tagged", new JsonObject().put("members", six)));
    ok(agent.admin().put("/jobs/tag-fleet", new JsonObject()));
    ok(agent.admin().put("/jobs/tag-fleet/steps/tag", step("tagged", "SELECT 1", 0)));
    String v1 = executions.start("tag-fleet");
    assertEquals("Succeeded", executions.awaitEnd("tag-fleet", v1, PATIENCE).getString("lifecycle"));

    browser.signIn(AgentFixture.ADMIN_TOKEN);
    assertEquals(List.of(6, 0, 0), fleetCounts("tag-fleet"), "current, behind, failing");

    // The new version fails where tag_ready is missing: fleet_004 and fleet_005.
    ok(agent.admin().put("/jobs/tag-fleet/steps/tag", step("tagged", """
        DO $$ BEGIN
          IF current_database() IN ('fleet_004', 'fleet_005')
             AND NOT EXISTS (SELECT FROM pg_tables WHERE tablename = 'tag_ready') THEN
            RAISE EXCEPTION 'tag_ready is missing';
          END IF;
        END $$""", 0)));
    assertEquals(List.of(0, 6, 0), fleetCounts("tag-fleet"), "a new version puts every database behind");
    String v2 = executions.start("tag-fleet");
    assertEquals("Failed", executions.awaitEnd("tag-fleet", v2, PATIENCE).getString("lifecycle"));
    assertEquals(List.of(4, 0, 2), fleetCounts("tag-fleet"));
    List<String> failing = browser.driver().findElements(By.cssSelector("tr[data-database][data-state='Failing']"))
      .stream().map(r -> r.getAttribute("data-database")).toList();
    assertEquals(List.of(first + "/" + database(4), first + "/" + database(5)), failing, "failing first");

    fleet.execute(database(4), "CREATE TABLE tag_ready (id int)");
    fleet.execute(database(5), "CREATE TABLE tag_ready (id int)");
    browser.go("/executions/" + v2, "execution");
    browser.markStale();
    browser.click("Rerun failed targets on version 2");
    browser.awaitPage("execution");
    browser.await("the rerun to succeed", PATIENCE, d -> d.findElement(
      By.cssSelector("section[aria-label='Summary'] .badge[data-lifecycle]")).getAttribute("data-lifecycle")
      .equals("Succeeded"));
    assertEquals(List.of(6, 0, 0), fleetCounts("tag-fleet"), "none behind after the rerun");

    // The 2,000 of the first run, after a change to its step: who is behind, at scale.
    ok(agent.admin().put("/jobs/migrate-fleet/steps/migrate", step("fleet", MIGRATE + ";\n-- v2", 1)));
    assertEquals(List.of(0, 1970, 30), fleetCounts("migrate-fleet"));
    browser.screenshot("fleet-state");
  }

  @Test
  @Order(4)
  void pasting_500_members_adds_them_and_reports_the_bad_line_before_anything_is_saved() throws IOException {
    ok(agent.admin().put("/targetGroups/bulk", new JsonObject().put("members", new JsonArray()
      .add(new JsonObject().put("type", "SqlDatabase").put("serverName", fleet.serverName(1))
        .put("databaseName", database(0))))));
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      lines.add(String.format("tenants-%02d.example.com:5432,tenant_%04d", i % 10, i));
      if (i == 249) {
        lines.add("tenants-99.example.com:5432");
      }
    }
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/targetGroups/bulk", "target-group");
    browser.click("Add members in bulk");
    WebElement area = browser.field("bulk");
    browser.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'))", area,
      String.join("\n", lines));
    browser.awaitElement(By.cssSelector(".bulk-ok[data-valid='500']"));
    WebElement bad = browser.awaitElement(By.cssSelector(".bulk-errors li[data-line='251']"));
    assertTrue(bad.getText().contains("tenants-99.example.com:5432"), bad.getText());
    assertEquals(1, browser.driver().findElements(By.cssSelector(".bulk-errors li")).size());
    assertEquals(1, agent.admin().get("/targetGroups/bulk").bodyAsJsonObject().getJsonArray("members").size(),
      "nothing is saved yet");

    browser.click("Add 500 members");
    browser.awaitElement(By.cssSelector("[data-member-counts] [data-includes='501']"));
    browser.markStale();
    browser.click("Save");
    browser.awaitPage("target-group");
    JsonArray saved = agent.admin().get("/targetGroups/bulk").bodyAsJsonObject().getJsonArray("members");
    assertEquals(501, saved.size());
    assertEquals("tenant_0499", saved.getJsonObject(500).getString("databaseName"));

    // The same lines from a CSV file, header and quotes as a spreadsheet writes them.
    Path csv = Files.createTempFile("members", ".csv");
    Files.writeString(csv, "server,database\n\"tenants-01.example.com:5432\",tenant_9001\n"
      + "tenants-02.example.com:5432,tenant_9002\nonly-a-server.example.com\n");
    browser.click("Add members in bulk");
    browser.awaitElement(By.cssSelector("input[name='bulkFile']")).sendKeys(csv.toString());
    browser.awaitElement(By.cssSelector(".bulk-ok[data-valid='2']"));
    assertTrue(browser.awaitElement(By.cssSelector(".bulk-errors li[data-line='4']")).getText()
      .contains("only-a-server.example.com"));
    Files.delete(csv);

    // Include and exclude at a glance: a group like the one the issue found 30,905 px tall.
    JsonArray members = new JsonArray().add(new JsonObject().put("type", "SqlServer")
      .put("serverName", fleet.serverName(1)).put("refreshCredential", "fleet"));
    for (int i = 0; i < 100; i++) {
      members.add(new JsonObject().put("type", "SqlDatabase").put("membershipType", "Exclude")
        .put("serverName", fleet.serverName(1)).put("databaseName", String.format("retired_%03d", i)));
    }
    ok(agent.admin().put("/targetGroups/tenants", new JsonObject().put("members", members)));
    browser.go("/targetGroups/tenants", "target-group");
    browser.awaitElement(By.cssSelector("tr[data-member='99']"));
    Long height = (Long) browser.js("return document.documentElement.scrollHeight");
    assertTrue(height < 8000, "a page of 100 members in one compact table: " + height + " px");
    browser.screenshot("target-group");
  }

  @Test
  @Order(5)
  void a_reader_sees_the_execution_the_fleet_state_and_the_members_without_any_edit_control() {
    browser.signIn(agent.as("reader").token());
    browser.go("/executions/" + run, "execution");
    assertEquals("100", browser.awaitElement(By.cssSelector(PROGRESS)).getAttribute("aria-valuenow"));
    browser.await("the failure groups", d -> d.findElements(By.cssSelector("details.failure-group")).size() == 2);
    WebElement row = browser.awaitElement(By.cssSelector("[aria-label='Target list'] tr[data-target]"));
    browser.click(row, "Details");
    browser.await("the attempts", d -> !d.findElements(By.cssSelector("aside.drawer tr[data-attempt]")).isEmpty());
    browser.click(browser.awaitElement(By.cssSelector("aside.drawer")), "Close");
    assertNoButtons("Cancel execution", "Rerun failed targets on version 2");

    browser.go("/jobs/migrate-fleet?tab=fleet", "job");
    browser.awaitElement(By.cssSelector("[data-fleet-counts][data-failing='30']"));
    assertNoButtons("Start now", "Edit settings", "Add step", "Edit", "Save");

    browser.go("/targetGroups/tenants", "target-group");
    browser.awaitElement(By.cssSelector("tr[data-member='99'][data-membership='Exclude']"));
    assertTrue(browser.driver().findElements(By.cssSelector("main input[name^='members['], main select[name^='members[']"))
      .isEmpty(), "no member inputs");
    assertNoButtons("Add member", "Add members in bulk", "Remove member", "Save", "Delete");
  }

  @Test
  @Order(6)
  void the_overview_counts_a_failed_runs_targets_with_its_top_cause_and_the_job_page_reads_right() {
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/", "overview");
    WebElement failed = browser.awaitElement(By.cssSelector("tr[data-execution='" + run + "']"));
    browser.await("the failed targets' count", d -> "30".equals(
      failed.findElement(By.cssSelector("[data-failed-targets]")).getText()));
    String cause = failed.findElement(By.cssSelector("[data-top-cause]")).getAttribute("title");
    assertTrue(cause.contains("42P01") && cause.contains("relation \"fleet_marker\" does not exist"), cause);

    browser.go("/jobs/migrate-fleet", "job");
    String page = browser.main().getText();
    assertTrue(page.contains("1 retry") && !page.contains("1 retries"), page);
    assertTrue(browser.buttons("Save").isEmpty(), "the job page opens read only");

    ok(agent.admin().put("/jobs/hourly-fleet", new JsonObject().put("schedule", new JsonObject()
      .put("type", "Recurring").put("interval", "PT1H").put("enabled", false))));
    browser.go("/jobs/hourly-fleet", "job");
    assertEquals("This schedule will not run until you enable it.",
      browser.awaitElement(By.cssSelector(".schedule-warning")).getText());
  }

  @Test
  @Order(7)
  void a_group_of_10000_members_renders_a_page_at_a_time_and_saves_whole() {
    JsonArray members = new JsonArray();
    for (int i = 0; i < 10_000; i++) {
      members.add(new JsonObject().put("type", "SqlDatabase").put("serverName", "10.20.0." + (i % 10 + 1) + ":5432")
        .put("databaseName", String.format("tenant_%05d", i)));
    }
    ok(agent.admin().put("/targetGroups/ten-thousand", new JsonObject().put("members", members)));
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/targetGroups/ten-thousand", "target-group");
    browser.awaitElement(By.cssSelector("[data-member-counts] [data-includes='10000']"));
    assertEquals(100, browser.driver().findElements(By.cssSelector("tr[data-member]")).size(), "a page of 100");

    browser.fill("memberSearch", "tenant_09999");
    browser.await("the one member found", d -> d.findElements(By.cssSelector("tr[data-member]")).size() == 1);
    browser.markStale();
    browser.click("Save");
    browser.awaitPage("target-group");
    JsonArray saved = agent.admin().get("/targetGroups/ten-thousand").bodyAsJsonObject().getJsonArray("members");
    assertEquals(10_000, saved.size(), "a search hides members from the table, not from the group");
  }

  private static void ok(HttpResponse<Buffer> response) {
    assertTrue(response.statusCode() < 300, response.statusCode() + " " + response.bodyAsString());
  }

  private static List<Integer> fleetCounts(String job) {
    browser.go("/jobs", "jobs");
    browser.go("/jobs/" + job + "?tab=fleet", "job");
    WebElement counts = browser.awaitElement(By.cssSelector("[data-fleet-counts][data-current]"));
    browser.await("the fleet's rows", d -> d.findElements(By.cssSelector("[aria-label='Fleet state'][aria-busy]"))
      .isEmpty());
    return List.of(Integer.parseInt(counts.getAttribute("data-current")),
      Integer.parseInt(counts.getAttribute("data-behind")), Integer.parseInt(counts.getAttribute("data-failing")));
  }

  private static List<String> awaitRows(int count) {
    return browser.await(count + " rows", d -> {
      if (!d.findElements(By.cssSelector("[aria-label='Target list'][aria-busy]")).isEmpty()) {
        return null;
      }
      List<String> rows = d.findElements(By.cssSelector("[aria-label='Target list'] tr[data-target]")).stream()
        .map(r -> r.getAttribute("data-target"))
        .collect(Collectors.toList());
      return rows.size() == count ? rows : null;
    });
  }

  private static void assertNoButtons(String... names) {
    for (String name : names) {
      assertTrue(browser.buttons(name).isEmpty(), "a reader sees " + name);
    }
  }

  private static <T> List<T> listOf(List<T> found, int size) {
    return found.size() == size ? found : null;
  }

  private static JsonObject step(String group, String script, int retries) {
    return new JsonObject()
      .put("targetGroup", group)
      .put("credential", "fleet")
      .put("action", new JsonObject().put("value", script))
      .put("executionOptions", new JsonObject().put("retryAttempts", retries).put("initialRetryIntervalSeconds", 1)
        .put("retryOn", "Any"));
  }

  private static String database(int i) {
    return String.format("fleet_%03d", i);
  }
}
