package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;

/**
 * Every main page on an agent with some history (a succeeded and a failed execution, a fired alert), kept as
 * screenshots in target/screenshots for people to look at, at desktop size and, for two pages, phone size.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PageScreenshotsBrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(30);

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("browser_pages",
    new JsonObject().put("alertEvaluationTickMs", 200));
  private static String failedExecution;
  private static String alertId;

  @BeforeAll
  static void setUp() {
    browser.baseUrl("http://127.0.0.1:" + agent.port());
    String east = TestPostgres.newDatabase("browser_pages_east");
    String west = TestPostgres.newDatabase("browser_pages_west");
    // The descriptions show in the screenshots.
    Scenario.on(agent)
      .fleet(TestPostgres.serverName())
      .credential("reporting")
      .group("all-shops", east, west)
      .job("nightly-report")
      .description("Made by the browser tests")
      .step("run", "SELECT count(*) FROM pg_class")
      .retryAttempts(0)
      .job("vacuum-west")
      .description("Made by the browser tests")
      .step("run", "SELECT 1 / (CASE WHEN current_database() = '" + west + "' THEN 0 ELSE 1 END)")
      .retryAttempts(0)
      .put("/actionGroups/on-call", new JsonObject()
        .put("emailReceivers", new JsonArray().add(new JsonObject().put("name", "ops")
          .put("emailAddress", "ops@example.test"))))
      .put("/alertRules/failed-jobs", new JsonObject()
        .put("description", "Any failed target")
        .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
          .put("metricName", "elastic_jobs_failed").put("operator", "GreaterThan").put("threshold", 0))))
        .put("windowSize", "PT5M")
        .put("evaluationFrequency", "PT1S")
        .put("actions", new JsonArray().add("on-call")))
      .create();
    Executions executions = new Executions(agent.admin());
    String succeeded = executions.start("nightly-report");
    failedExecution = executions.start("vacuum-west");
    executions.awaitEnd("nightly-report", succeeded, PATIENCE);
    assertEquals("Failed", executions.awaitEnd("vacuum-west", failedExecution, PATIENCE).getString("lifecycle"));
    alertId = awaitAlert();
  }

  @Test
  void every_main_page_renders_its_heading_and_is_kept_as_a_screenshot_at_desktop_and_phone_size() {
    browser.signOutQuietly();
    browser.driver().get("about:blank");
    browser.driver().get("http://127.0.0.1:" + agent.port() + "/#/login");
    browser.awaitPage("login");
    browser.screenshot("login");
    browser.signIn(AgentFixture.ADMIN_TOKEN);

    Map<String, String> pages = BrowserSession.mainPages("vacuum-west", failedExecution, "all-shops");
    pages.put("/alerts/" + alertId, "alert");
    pages.forEach((route, page) -> {
      browser.go(route, page);
      settle(page);
      assertFalse(browser.heading().isBlank(), page + " has a heading");
      assertEquals(1, browser.driver().findElements(By.cssSelector("main#main h1")).size(), page + ": one h1");
      size(browser.screenshot(page), BrowserSession.DESKTOP);
    });

    browser.resize(BrowserSession.PHONE);
    try {
      for (String[] phone : new String[][] {{"/", "overview"}, {"/executions/" + failedExecution, "execution"}}) {
        browser.go(phone[0], phone[1]);
        settle(phone[1]);
        Long overflow = (Long) browser.js("return document.documentElement.scrollWidth - window.innerWidth");
        assertTrue(overflow <= 0, phone[1] + " fits 390 px without sideways scrolling: " + overflow + " px more");
        size(browser.screenshot(phone[1] + "-phone"), BrowserSession.PHONE);
      }
    } finally {
      browser.resize(BrowserSession.DESKTOP);
    }
  }

  /** Waits for what a page draws after its data: the chart on the overview, the target rows of an execution. */
  private static void settle(String page) {
    if (page.equals("overview")) {
      browser.awaitElement(By.cssSelector("main#main canvas"));
    }
    if (page.equals("execution")) {
      browser.awaitElement(By.cssSelector("tr[data-target]"));
    }
    browser.await("fonts and a frame", d -> (Boolean) browser.js(
      "return document.fonts.status === 'loaded' && !document.querySelector('main [aria-busy=\"true\"]')"));
  }

  private static void size(Path png, Dimension expected) {
    try {
      BufferedImage image = ImageIO.read(png.toFile());
      assertEquals(expected.getWidth(), image.getWidth(), png.toString());
      assertEquals(expected.getHeight(), image.getHeight(), png.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String awaitAlert() {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (System.nanoTime() < deadline) {
      JsonArray alerts = agent.admin().get("/alerts?alertRule=failed-jobs").bodyAsJsonObject().getJsonArray("value");
      if (!alerts.isEmpty()) {
        return alerts.getJsonObject(0).getString("id");
      }
      Executions.sleep(100);
    }
    throw new AssertionError("The failed-jobs rule did not fire");
  }
}
