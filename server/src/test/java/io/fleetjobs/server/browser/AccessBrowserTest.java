package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;

/** Signing in, and what a reader's token may see and do, in the page and at the API behind it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AccessBrowserTest {
  /** Every action a reader may not take, by the text of its button. */
  private static final List<String> EDIT_BUTTONS = List.of("Save", "Delete", "New job", "Start now", "Add step",
    "Cancel execution", "Rerun failed targets on version 1", "Send test", "Replay", "Create token", "Revoke", "Set password",
    "New credential", "New target group", "New alert rule", "New action group", "Edit", "Add member",
    "Remove member", "Edit settings", "Add members in bulk");
  /** Finds elements that carry the hidden attribute yet take up space on the page. */
  private static final String VISIBLE_HIDDEN = """
      return [...document.querySelectorAll('[hidden]')]
        .filter(e => e.getClientRects().length > 0)
        .map(e => e.outerHTML.slice(0, 120));""";

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  private static final Map<String, String> PAGES = new LinkedHashMap<>();
  private static final Map<String, List<String>> ADMIN_SEES = new LinkedHashMap<>();

  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("browser_access",
    new JsonObject().put("webhookAllow", "127.0.0.1"));
  private static WebhookReceiver receiver;
  private static String executionId;

  @BeforeAll
  static void start(Vertx vertx) {
    receiver = WebhookReceiver.start(vertx);
    browser.baseUrl("http://127.0.0.1:" + agent.port());
    Scenario.on(agent)
      .fleet(TestPostgres.serverName())
      .credential("reader-visible")
      .group("readable", TestPostgres.newDatabase("browser_access_target"))
      .job("readable-job")
      .step("run", "SELECT 1")
      .retryAttempts(0)
      .create();
    Executions executions = new Executions(agent.admin());
    executionId = executions.start("readable-job");
    executions.awaitEnd("readable-job", executionId, Duration.ofSeconds(30));
    Scenario.on(agent)
      .put("/actionGroups/readable-group", new JsonObject()
        .put("webhookReceivers", new JsonArray().add(new JsonObject().put("name", "ops")
          .put("serviceUri", receiver.url("/ops")))))
      // A delivered notification, so the delivery log has a row that an operator could replay.
      .post("/actionGroups/readable-group/test", new JsonObject())
      .put("/alertRules/readable-rule", new JsonObject()
        .put("criteria", new JsonObject().put("allOf", new JsonArray().add(new JsonObject()
          .put("metricName", "elastic_jobs_failed").put("operator", "GreaterThan").put("threshold", 0))))
        .put("actions", new JsonArray().add("readable-group")))
      .create();

    PAGES.putAll(BrowserSession.mainPages("readable-job", executionId, "readable"));
    ADMIN_SEES.put("/jobs", List.of("New job"));
    ADMIN_SEES.put("/jobs/readable-job", List.of("Start now", "Add step", "Edit settings", "Edit"));
    ADMIN_SEES.put("/targetGroups", List.of("New target group"));
    ADMIN_SEES.put("/targetGroups/readable", List.of("Save", "Delete", "Add member"));
    ADMIN_SEES.put("/credentials", List.of("New credential", "Set password", "Delete"));
    ADMIN_SEES.put("/alerts", List.of("New alert rule", "New action group", "Send test", "Edit", "Delete", "Replay"));
    ADMIN_SEES.put("/settings", List.of("Save", "Create token", "Revoke"));
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Test
  void a_wrong_token_is_refused_next_to_the_field_and_a_good_one_returns_to_the_page_asked_for() {
    browser.signOutQuietly();
    browser.driver().get("about:blank");
    browser.driver().get("http://127.0.0.1:" + agent.port() + "/#/jobs");
    browser.awaitPage("login");
    browser.fill("token", "fjt_not_a_token");
    browser.click("Sign in");
    assertTrue(browser.fieldError("token").contains("not valid"), browser.fieldError("token"));
    assertEquals("login", browser.main().getAttribute("data-page"));

    browser.fill("token", AgentFixture.ADMIN_TOKEN);
    browser.click("Sign in");
    browser.awaitPage("jobs");
    assertTrue(browser.driver().findElement(By.id("session")).getText().contains("admin"),
      "the header names the role: " + browser.driver().findElement(By.id("session")).getText());
    assertEquals("connected", browser.awaitElement(By.cssSelector("#live-status[data-state='connected']"))
      .getAttribute("data-state"));
    List<String> links = browser.driver().findElements(By.cssSelector("nav[aria-label='Main'] a")).stream()
      .map(a -> a.getText().trim())
      .toList();
    assertEquals(List.of("Overview", "Jobs", "Executions", "Target groups", "Credentials", "Alerts", "Notifications",
      "Settings"),
      links);

    browser.click("Sign out");
    browser.awaitPage("login");
    browser.go("/jobs", "login");
  }

  @Test
  void no_element_marked_hidden_shows_on_any_page_signed_out_or_in() {
    browser.signOutQuietly();
    browser.driver().get("about:blank");
    browser.driver().get("http://127.0.0.1:" + agent.port() + "/#/login");
    browser.awaitPage("login");
    assertEquals(List.of(), browser.js(VISIBLE_HIDDEN), "signed out, the header shows no session, badge or Sign out");
    assertTrue(browser.buttons("Sign out").isEmpty(), "no Sign out before signing in");

    browser.signIn(AgentFixture.ADMIN_TOKEN);
    Map<String, String> pages = new LinkedHashMap<>(PAGES);
    pages.put("/jobs/readable-job?tab=fleet", "job");
    pages.forEach((route, page) -> {
      browser.go(route, page);
      assertEquals(List.of(), browser.js(VISIBLE_HIDDEN), "#" + route);
    });
  }

  @Test
  void a_reader_sees_no_edit_button_on_any_page_and_the_api_refuses_the_same_calls() {
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    // The same pages show an admin their buttons, so their absence below is the role's doing.
    ADMIN_SEES.forEach((route, expected) -> {
      browser.go(route, PAGES.get(route));
      for (String button : expected) {
        browser.button(button);
      }
    });

    String token = agent.as("reader").token();
    ApiClient reader = agent.admin().as(token);
    browser.signIn(token);
    PAGES.forEach((route, page) -> {
      browser.go(route, page);
      for (String button : EDIT_BUTTONS) {
        assertTrue(browser.buttons(button).isEmpty(), "a reader sees " + button + " at #" + route);
      }
    });
    browser.go("/jobs/readable-job", "job");
    assertTrue(browser.main().getText().contains("SELECT 1"), "a reader still reads the job's step");
    browser.go("/targetGroups/readable", "target-group");
    browser.awaitElement(By.cssSelector("tr[data-member='0']"));
    assertTrue(browser.driver().findElements(By.cssSelector("main [name^='members[']")).isEmpty(),
      "a reader's member table has no inputs");
    browser.go("/alerts", "alerts");
    browser.awaitElement(By.cssSelector("tr[data-notification]"));
    assertTrue(browser.buttons("Replay").isEmpty(), "a reader sees the delivery log, without Replay");

    Map<String, HttpResponse<Buffer>> refused = new LinkedHashMap<>();
    refused.put("PUT /jobs", reader.put("/jobs/readable-job", new JsonObject()));
    refused.put("DELETE /jobs", reader.delete("/jobs/readable-job"));
    refused.put("PUT /steps", reader.put("/jobs/readable-job/steps/run", new JsonObject()));
    refused.put("POST /start", reader.post("/jobs/readable-job/start", new JsonObject()));
    refused.put("POST /cancel", reader.post("/jobs/readable-job/executions/" + executionId + "/cancel",
      new JsonObject()));
    refused.put("POST /rerunFailed", reader.post("/jobs/readable-job/executions/" + executionId + "/rerunFailed",
      new JsonObject()));
    refused.put("PUT /credentials", reader.put("/credentials/reader-visible", new JsonObject()
      .put("username", "x").put("password", "y")));
    refused.put("DELETE /credentials", reader.delete("/credentials/reader-visible"));
    refused.put("PUT /targetGroups", reader.put("/targetGroups/readable", new JsonObject()
      .put("members", new JsonArray())));
    refused.put("PUT /alertRules", reader.put("/alertRules/readable-rule", new JsonObject()));
    refused.put("PUT /actionGroups", reader.put("/actionGroups/readable-group", new JsonObject()));
    refused.put("POST /actionGroups/test", reader.post("/actionGroups/readable-group/test", new JsonObject()));
    refused.put("PUT /agent", reader.put("/agent", new JsonObject().put("sku", new JsonObject().put("name", "JA200"))));
    refused.put("POST /tokens", reader.post("/tokens", new JsonObject().put("name", "sneaky").put("role", "admin")));
    refused.forEach((call, response) -> assertEquals(403, response.statusCode(), call + ": " + response.bodyAsString()));
    assertEquals(200, agent.admin().get("/jobs/readable-job").statusCode(), "and nothing changed");
    assertEquals(200, agent.admin().get("/credentials/reader-visible").statusCode());
  }
}
