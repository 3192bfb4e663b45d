package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A paused rollout and a dry run in the dashboard, driven as an operator would: the waves with their failures
 * against the budget, why the run paused, Abort; the Dry run button and what it saw per database. The
 * screenshots (target/screenshots/rollout-paused.png, dry-run.png) are the ones in docs/.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RolloutBrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String[] TENANTS = Scenario.numbered("tenant_", 30);

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("browser_rollouts");
  private static final TargetServer server = agent.targetServer();
  private static final Executions executions = new Executions(agent);

  @BeforeAll
  static void setUp() {
    browser.baseUrl("http://127.0.0.1:" + agent.port());
    Scenario.on(agent)
      .fleet(server, TENANTS)
      .credential("deployer")
      .group("tenants", TENANTS)
      .canary(TENANTS[7])
      .job("add-index")
      .description("Rolled out in waves, canary first")
      .step("create-index", "CREATE INDEX IF NOT EXISTS orders_created ON orders (created);\n"
        + "DO $$ BEGIN IF current_database() = '" + TENANTS[12] + "' THEN "
        + "RAISE EXCEPTION 'column \"created\" has the wrong type in %', current_database(); END IF; END $$")
      .retryAttempts(0)
      .rollout(new JsonObject().put("waves", new JsonArray().add(1).add("20%").add("100%"))
        .put("errorBudget", new JsonObject().put("maxFailedTargets", 0)))
      .job("backfill")
      .description("Tried as a dry run first")
      .step("set-region", "UPDATE orders SET region = 'eu' WHERE region IS NULL;\n"
        + "SELECT id, region FROM orders ORDER BY id")
      .create();
    for (String tenant : TENANTS) {
      server.execute(tenant, "CREATE TABLE orders (id int, created timestamptz, region text)",
        "INSERT INTO orders SELECT g, now(), NULL FROM generate_series(1, 3) g");
    }
  }

  @Test
  void a_paused_rollout_shows_its_waves_and_why_and_abort_ends_it() {
    String id = executions.start("add-index");
    executions.awaitExecution("add-index", id, x -> "Paused".equals(x.getString("lifecycle")), PATIENCE);
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/executions/" + id, "execution");
    String reason = browser.textOf(By.cssSelector(".paused-reason"));
    assertTrue(reason.contains("error budget"), reason);
    // The canary wave, the 20 % wave where one database failed, the rest held back.
    browser.await("waves Done, Done, Waiting", d -> List.of("Done", "Done", "Waiting").equals(
      d.findElements(By.cssSelector("[data-wave-state]")).stream().map(WebElement::getText).toList()) ? true : null);
    browser.scrollTo(browser.driver().findElement(By.cssSelector("[data-rollout]")));
    browser.screenshot("rollout-paused");

    browser.click("Abort");
    browser.await("the execution canceled", d -> "Canceled".equals(
      executions.get("add-index", id).getString("lifecycle")));
    browser.await("the page follows: the held-back wave is canceled", d -> d.findElements(
      By.cssSelector("[data-wave-state='Canceled']")).size() == 1 ? true : null);
  }

  @Test
  void the_dry_run_button_shows_what_each_database_would_see_and_changes_nothing() {
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/jobs/backfill", "job");
    browser.markStale();
    browser.click("Dry run");
    browser.awaitPage("execution");
    String url = browser.driver().getCurrentUrl();
    String id = url.substring(url.lastIndexOf('/') + 1);
    assertEquals("Succeeded", executions.awaitEnd("backfill", id, PATIENCE).getString("lifecycle"));
    // Drawn again from the ended run, so no live refresh replaces the row while it is opened.
    browser.markStale();
    browser.driver().navigate().refresh();
    browser.awaitPage("execution");
    assertTrue(browser.heading().startsWith("Dry run"), browser.heading());
    WebElement first = browser.awaitElement(By.cssSelector("tr[data-target] details"));
    browser.scrollTo(first);
    first.findElement(By.tagName("summary")).click();
    WebElement result = browser.awaitElement(By.cssSelector(".dry-run-result"));
    assertTrue(result.getText().contains("UPDATE"), result.getText());
    assertTrue(result.getText().contains("eu"), "the first rows, as the transaction saw them: " + result.getText());
    browser.screenshot("dry-run");
    assertEquals(List.of("0"), server.column(TENANTS[0], "SELECT count(*) FROM orders WHERE region = 'eu'"),
      "rolled back");
  }
}
