package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Defining and running jobs through the dashboard's forms, on real PostgreSQL target databases. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class JobsBrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final String SUMMARY_BADGE = "section[aria-label='Summary'] .badge[data-lifecycle]";

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("browser_jobs");
  private static final Executions executions = new Executions(agent);
  private static String north;
  private static String south;

  @BeforeAll
  static void setUp() {
    browser.baseUrl("http://127.0.0.1:" + agent.port());
    north = TestPostgres.newDatabase("browser_jobs_north");
    south = TestPostgres.newDatabase("browser_jobs_south");
  }

  @Test
  void a_credential_group_and_job_made_in_the_forms_run_to_succeeded_live_without_a_reload() {
    browser.signIn(AgentFixture.ADMIN_TOKEN);

    browser.go("/credentials", "credentials");
    browser.click("New credential");
    browser.fill("name", "shop-runner");
    browser.fill("username", Scenario.USERNAME);
    browser.fill("password", Scenario.PASSWORD);
    browser.click("Save");
    browser.awaitElement(By.cssSelector("tr[data-credential='shop-runner']"));
    assertEquals(Scenario.USERNAME, agent.admin().get("/credentials/shop-runner").bodyAsJsonObject().getString("username"));

    browser.go("/targetGroups", "target-groups");
    browser.click("New target group");
    browser.fill("name", "shops");
    browser.fill("members[0].type", "SqlDatabase");
    browser.fill("members[0].serverName", TestPostgres.serverName());
    browser.fill("members[0].databaseName", north);
    browser.click("Add member");
    browser.fill("members[1].serverName", TestPostgres.serverName());
    browser.fill("members[1].databaseName", south);
    browser.markStale();
    browser.click("Save");
    browser.awaitPage("target-group");
    JsonObject group = agent.admin().get("/targetGroups/shops").bodyAsJsonObject();
    assertEquals(2, group.getJsonArray("members").size(), group.encode());

    browser.go("/jobs", "jobs");
    browser.markStale();
    browser.click("New job");
    browser.awaitPage("job");
    browser.fill("name", "count-orders");
    browser.fill("description", "Counts orders in every shop");
    browser.markStale();
    browser.click("Save");
    browser.awaitPage("job");
    assertEquals("count-orders", browser.heading());
    browser.click("Add step");
    browser.fill("name", "count");
    browser.fill("targetGroup", "shops");
    browser.fill("credential", "shop-runner");
    // Long enough that the page first shows the run in progress, so the change to Succeeded is seen live.
    browser.fill("action.value", "SELECT pg_sleep(1.5), current_database()");
    browser.fill("executionOptions.retryAttempts", "0");
    browser.markStale();
    browser.click("Save");
    browser.awaitPage("job");
    browser.awaitElement(By.cssSelector("tr[data-step='count']"));
    JsonObject step = agent.admin().get("/jobs/count-orders/steps/count").bodyAsJsonObject();
    assertEquals("shops", step.getString("targetGroup"));
    assertEquals("shop-runner", step.getString("credential"));
    assertEquals(0, step.getJsonObject("executionOptions").getInteger("retryAttempts"));

    browser.js("window.__marker = 'still the same document'");
    browser.markStale();
    browser.click("Start now");
    browser.awaitPage("execution");
    browser.awaitElement(By.cssSelector("#live-status[data-state='connected']"));
    String before = browser.lifecycle(SUMMARY_BADGE);
    assertTrue(List.of("Created", "InProgress").contains(before), "the page opens on the running execution: " + before);
    List<String> seen = new ArrayList<>(List.of(before));
    browser.await("the execution to succeed", PATIENCE, d -> {
      String now = d.findElement(By.cssSelector(SUMMARY_BADGE)).getAttribute("data-lifecycle");
      if (!now.equals(seen.get(seen.size() - 1))) {
        seen.add(now);
      }
      return now.equals("Succeeded");
    });
    assertEquals("still the same document", browser.js("return window.__marker"), "the page was not reloaded");
    assertEquals("Succeeded", seen.get(seen.size() - 1), "lifecycles seen: " + seen);
    for (String database : List.of(north, south)) {
      assertEquals("Succeeded", browser.lifecycle(targetBadge(database, "count")), database);
      assertEquals("postgresql · SqlLogin · TLS prefer",
        browser.textOf(By.cssSelector(targetRow(database, "count") + " .target-auth")),
        "each target row shows its engine, how the agent signed in and its TLS mode");
    }
    String id = browser.driver().getCurrentUrl().replaceAll(".*/executions/", "");
    assertEquals("Succeeded", executions.get("count-orders", id).getString("lifecycle"));
  }

  @Test
  void a_bad_field_shows_the_apis_own_message_next_to_that_field() {
    Scenario.on(agent)
      .fleet(TestPostgres.serverName())
      .credential("validation-runner")
      .group("validation-shops", north)
      .job("validated")
      .step("run", "SELECT 1")
      .retryAttempts(0)
      .create();
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/jobs/validated", "job");

    browser.click("Add step");
    browser.fill("name", "second");
    browser.fill("targetGroup", "no-such-group");
    browser.fill("credential", "validation-runner");
    browser.fill("action.value", "SELECT 2");
    browser.click("Save");
    String shown = browser.fieldError("targetGroup");
    HttpResponse<Buffer> refused = agent.admin().put("/jobs/validated/steps/second", new JsonObject()
      .put("targetGroup", "no-such-group")
      .put("credential", "validation-runner")
      .put("action", new JsonObject().put("value", "SELECT 2")));
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    JsonObject error = refused.bodyAsJsonObject().getJsonObject("error");
    assertEquals("targetGroup", error.getString("target"));
    assertEquals(error.getString("message"), shown);
    assertEquals("true", browser.field("targetGroup").getAttribute("aria-invalid"));
    assertEquals(404, agent.admin().get("/jobs/validated/steps/second").statusCode(), "nothing was saved");

    browser.fill("targetGroup", "validation-shops");
    browser.fill("executionOptions.timeoutSeconds", "0");
    browser.click("Save");
    String timeout = browser.fieldError("executionOptions.timeoutSeconds");
    assertTrue(browser.driver().findElements(By.cssSelector(".field-error[data-field='targetGroup']")).stream()
      .allMatch(e -> e.getText().isBlank()), "the old message went away");
    assertNotEquals("", timeout);
  }

  @Test
  void a_failed_targets_message_opens_and_rerun_failed_targets_runs_only_that_target() {
    String ready = "rerun_ready";
    TestPostgres.execute(north, "CREATE TABLE " + ready + " (id int)");
    Scenario.on(agent)
      .fleet(TestPostgres.serverName())
      .credential("rerun-runner")
      .group("rerun-shops", north, south)
      .job("needs-table")
      .step("run", "SELECT count(*) FROM " + ready)
      .retryAttempts(0)
      .create();
    String source = executions.start("needs-table");
    assertEquals("Failed", executions.awaitEnd("needs-table", source, PATIENCE).getString("lifecycle"));

    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/executions/" + source, "execution");
    assertEquals("Failed", browser.lifecycle(SUMMARY_BADGE));
    assertEquals("Failed", browser.lifecycle(targetBadge(south, "run")));
    WebElement failed = browser.awaitElement(By.cssSelector(targetRow(south, "run")));
    WebElement details = failed.findElement(By.tagName("details"));
    if (details.getAttribute("open") == null) {
      details.findElement(By.tagName("summary")).click();
    }
    WebElement message = failed.findElement(By.cssSelector(".target-message"));
    browser.await("the message to show", d -> message.isDisplayed());
    assertTrue(message.getText().contains(ready), message.getText());
    assertEquals("Succeeded", browser.lifecycle(targetBadge(north, "run")));

    TestPostgres.execute(south, "CREATE TABLE " + ready + " (id int)");
    browser.js("window.__marker = 'rerun'");
    browser.markStale();
    browser.click("Rerun failed targets on version 1");
    browser.awaitPage("execution");
    String rerun = browser.driver().getCurrentUrl().replaceAll(".*/executions/", "");
    assertNotEquals(source, rerun);
    browser.await("the rerun to succeed", PATIENCE, d -> d.findElement(By.cssSelector(SUMMARY_BADGE))
      .getAttribute("data-lifecycle").equals("Succeeded"));
    assertEquals("Succeeded", browser.lifecycle(targetBadge(south, "run")));
    assertEquals("rerun", browser.js("return window.__marker"), "the page was not reloaded");
    List<String> rows = browser.await("the target rows", d -> d.findElements(By.cssSelector("tr[data-target]"))
      .stream()
      .map(row -> row.getAttribute("data-target"))
      .toList());
    assertEquals(List.of(targetKey(south)), rows, "the rerun shows only the failed target");
    assertTrue(browser.main().getText().contains(source), "the rerun links to its source");

    JsonObject execution = executions.get("needs-table", rerun);
    assertEquals(source, execution.getString("rerunOf"));
    assertEquals(1, execution.getInteger("jobVersion"), "the version the button named");
    assertEquals("Succeeded", execution.getString("lifecycle"));
    List<String> databases = executions.targets("needs-table", rerun).stream()
      .map(t -> t.getJsonObject("target").getString("databaseName"))
      .toList();
    assertEquals(List.of(south), databases, "the API agrees: only the failed target ran again");
  }

  private static String targetRow(String database, String step) {
    return "tr[data-target='" + targetKey(database) + "'][data-step='" + step + "']";
  }

  private static String targetBadge(String database, String step) {
    return targetRow(database, step) + " .badge[data-lifecycle]";
  }

  /** "server/database", as an execution's target row names it. */
  private static String targetKey(String database) {
    return TestPostgres.serverName() + "/" + database;
  }
}
