package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ChatWebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

/** Slack and Teams receivers made in the action group form: guarded, write-only, kept on edit, and tested. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ChatReceiversBrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("browser_chat", new JsonObject()
    .put("webhookAllow", "127.0.0.1")
    .put("alertAttemptTimeoutSeconds", 2));
  private static ChatWebhookReceiver chats;

  @BeforeAll
  static void start(Vertx vertx) {
    chats = ChatWebhookReceiver.start(vertx);
    browser.baseUrl("http://127.0.0.1:" + agent.port());
  }

  @AfterAll
  static void stop() {
    chats.close();
  }

  @Test
  void slack_and_teams_receivers_are_refused_inside_saved_write_only_kept_on_edit_and_sent_a_test() {
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/alerts", "alerts");
    browser.click("New action group");
    browser.fill("name", "chat-ops");
    browser.click("Add Slack receiver");
    browser.fill("slackReceivers[0].name", "ops-channel");
    browser.fill("slackReceivers[0].webhookUrl", "http://10.1.2.3/services/T0/B0/secret");
    browser.click("Save");
    String refused = browser.fieldError("slackReceivers[0].webhookUrl");
    assertTrue(refused.contains("10.1.2.3"), refused);
    assertEquals(404, agent.admin().get("/actionGroups/chat-ops").statusCode(), "nothing was saved");

    browser.fill("slackReceivers[0].webhookUrl", chats.url("/slack/browser-token"));
    browser.click("Add Teams receiver");
    browser.fill("teamsReceivers[0].name", "dba-team");
    browser.fill("teamsReceivers[0].webhookUrl", chats.url("/teams/browser-token"));
    browser.click("Save");
    WebElement group = browser.awaitElement(By.cssSelector("tr[data-action-group='chat-ops']"));
    assertTrue(group.getText().contains("ops-channel (Slack)") && group.getText().contains("dba-team (Teams)"),
      group.getText());
    assertFalse(group.getText().contains("browser-token"), "the URL is write-only: " + group.getText());

    // Saved again without typing the URLs: they are kept.
    browser.click(group, "Edit");
    browser.click("Save");
    browser.await("the editor to close", driver -> driver.findElements(
      By.cssSelector("section[aria-label='Edit action group chat-ops']")).isEmpty() ? true : null);
    // The list reloads after the save: click in the row as it is once it has.
    browser.await("Send test in the reloaded list", driver -> {
      try {
        List<WebElement> buttons = driver.findElements(By.xpath(
          "//tr[@data-action-group='chat-ops']//button[normalize-space(.)='Send test']"));
        if (buttons.isEmpty() || !buttons.get(0).isEnabled()) {
          return null;
        }
        buttons.get(0).click();
        return true;
      } catch (StaleElementReferenceException e) {
        return null;
      }
    });
    for (String receiver : List.of("ops-channel", "dba-team")) {
      WebElement result = browser.awaitElement(By.cssSelector(".test-results tr[data-receiver='" + receiver + "']"));
      assertEquals("Delivered", result.findElement(By.cssSelector("[data-status]")).getAttribute("data-status"),
        result.getText());
    }
    for (String path : List.of("/slack/browser-token", "/teams/browser-token")) {
      ChatWebhookReceiver.Received got = chats.await(path, list -> !list.isEmpty(), PATIENCE).get(0);
      assertEquals(List.of(), got.problems(), got.body());
    }
  }
}
