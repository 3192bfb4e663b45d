package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.alerts.notify.DashboardLinks;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.Scenario;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Execution notifications made, edited and deleted on their page, each change checked at the API; a reader sees
 * the list and nothing to change it with; and a notice's failed-targets link opens a run's page filtered to its
 * failures. The screenshot of the editor (target/screenshots/execution-notifications.png, 1280x800) is the one in
 * docs/.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ExecutionNotificationsBrowserTest {
  private static final String ROUTE = "/executionNotifications";
  private static final String PAGE = "execution-notifications";

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("browser_notices", new JsonObject());
  private static final TargetServer targets = agent.targetServer();

  @BeforeAll
  static void start() {
    browser.baseUrl("http://127.0.0.1:" + agent.port());
    for (String job : List.of("nightly-reindex", "tenant-migrations")) {
      assertEquals(201, agent.admin().put("/jobs/" + job, new JsonObject()).statusCode());
    }
    for (String group : List.of("dba-oncall", "release-channel")) {
      HttpResponse<Buffer> saved = agent.admin().put("/actionGroups/" + group, new JsonObject().put("emailReceivers",
        new JsonArray().add(new JsonObject().put("name", "team").put("emailAddress", group + "@example.test"))));
      assertEquals(201, saved.statusCode(), saved.bodyAsString());
    }
  }

  private static void check(String name, String value) {
    WebElement box = browser.awaitElement(By.cssSelector("input[name='" + name + "'][value='" + value + "']"));
    browser.scrollTo(box);
    if (!box.isSelected()) {
      box.click();
    }
  }

  private static WebElement listed(String name) {
    return browser.awaitElement(By.cssSelector("tr[data-execution-notification='" + name + "']"));
  }

  private static void awaitEditorClosed() {
    browser.await("the editor to close", driver -> driver.findElements(By.cssSelector("form.notice-editor"))
      .isEmpty() ? true : null);
  }

  @Test
  void a_notices_failed_targets_link_opens_the_run_with_only_its_failed_and_timed_out_targets() {
    Scenario.on(agent)
      .fleet(targets, "link_a", "link_b", "link_c")
      .credential("link")
      .group("link-three", "link_a", "link_b", "link_c")
      .job("link-job").targetGroup("link-three").step("read", "SELECT count(*) FROM marker").retryAttempts(0)
      .create();
    // Only link_a has the table: the run fails on the two others.
    targets.execute("link_a", "CREATE TABLE marker (id integer)");
    Executions executions = new Executions(agent.admin());
    String id = executions.start("link-job");
    assertEquals("Failed", executions.awaitEnd("link-job", id, Duration.ofSeconds(60)).getString("lifecycle"));

    browser.signIn(AgentFixture.ADMIN_TOKEN);
    String link = new DashboardLinks("http://127.0.0.1:" + agent.port())
      .failedTargets("link-job", UUID.fromString(id));
    browser.markStale();
    browser.driver().get(link);
    browser.awaitPage("execution");
    for (String chip : List.of("Failed", "TimedOut")) {
      assertEquals("true", browser.awaitElement(By.cssSelector("[data-targets] [data-chip='" + chip + "']"))
        .getAttribute("aria-pressed"), chip);
    }
    assertEquals("false", browser.driver().findElement(By.cssSelector("[data-targets] [data-chip='all']"))
      .getAttribute("aria-pressed"));
    List<String> shown = browser.await("the failed targets", driver -> {
      List<String> rows = driver.findElements(By.cssSelector("[data-targets] tr[data-target]")).stream()
        .map(WebElement::getText).toList();
      return rows.size() == 2 ? rows : null;
    });
    assertTrue(shown.stream().noneMatch(text -> text.contains("link_a")), shown.toString());
  }

  @Test
  void an_admin_creates_edits_and_deletes_a_notification_and_a_reader_only_reads() throws IOException {
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go(ROUTE, PAGE);
    browser.click("New execution notification");
    browser.fill("name", "release-ends");
    check("jobs", "tenant-migrations");
    browser.click("Save");
    assertTrue(!browser.fieldError("actionGroups").isBlank(), "the refusal lands by the action groups");
    assertEquals(404, agent.admin().get("/executionNotifications/release-ends").statusCode(), "nothing was saved");

    check("actionGroups", "release-channel");
    check("endStates", "Paused");
    browser.fill("description", "Tell the release channel how migrations end");
    browser.click("Save");
    awaitEditorClosed();
    WebElement row = listed("release-ends");
    assertTrue(row.getText().contains("tenant-migrations") && row.getText().contains("release-channel"), row.getText());
    JsonObject saved = agent.admin().get("/executionNotifications/release-ends").bodyAsJsonObject();
    assertEquals(new JsonArray().add("tenant-migrations"), saved.getJsonArray("jobs"));
    assertEquals(new JsonArray().add("Failed").add("TimedOut").add("Paused"), saved.getJsonArray("endStates"));
    assertEquals(new JsonArray().add("release-channel"), saved.getJsonArray("actionGroups"));

    // Edited to every job and one more group; the name stays.
    browser.click(listed("release-ends"), "Edit");
    check("jobs", "*");
    assertTrue(!browser.driver().findElement(By.cssSelector("input[name='jobs'][value='nightly-reindex']"))
      .isEnabled(), "every job leaves no single job to choose");
    check("actionGroups", "dba-oncall");
    // The picture shows the editor and the list, not the toast of the last save.
    browser.js("document.activeElement.blur(); window.scrollTo(0, 0); document.getElementById('toast')"
      + ".classList.remove('show')");
    browser.await("the toast to fade", driver -> "0".equals(browser.js(
      "return getComputedStyle(document.getElementById('toast')).opacity")) ? true : null);
    Path shot = browser.screenshot(PAGE);
    var image = ImageIO.read(shot.toFile());
    assertEquals(List.of(1280, 800), List.of(image.getWidth(), image.getHeight()));
    browser.click("Save");
    awaitEditorClosed();
    browser.await("the list to show every job", driver -> listed("release-ends").getText().contains("every job")
      ? true : null);
    JsonObject edited = agent.admin().get("/executionNotifications/release-ends").bodyAsJsonObject();
    assertEquals(new JsonArray().add("*"), edited.getJsonArray("jobs"));
    assertEquals(new JsonArray().add("dba-oncall").add("release-channel"), edited.getJsonArray("actionGroups"));

    browser.signIn(agent.as("reader").token());
    browser.go(ROUTE, PAGE);
    assertTrue(listed("release-ends").getText().contains("every job"));
    for (String button : List.of("New execution notification", "Edit", "Delete")) {
      assertTrue(browser.buttons(button).isEmpty(), "a reader sees " + button);
    }

    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go(ROUTE, PAGE);
    browser.click(listed("release-ends"), "Delete");
    browser.click("Confirm");
    browser.await("the row to go", driver -> driver.findElements(
      By.cssSelector("tr[data-execution-notification='release-ends']")).isEmpty() ? true : null);
    assertEquals(404, agent.admin().get("/executionNotifications/release-ends").statusCode());
  }
}
