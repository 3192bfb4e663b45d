package io.fleetjobs.server.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.fleetjobs.server.testsupport.WebhookReceiver.Received;
import io.fleetjobs.server.testsupport.WebhookReceiver.Reply;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
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
import org.openqa.selenium.WebElement;

/** Alerting set up in the dashboard, and a test notification sent to real HTTP receivers in the test. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AlertsBrowserTest {
  private static final Duration PATIENCE = Duration.ofSeconds(20);

  @RegisterExtension
  @Order(1)
  static final BrowserSession browser = new BrowserSession();
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("browser_alerts", new JsonObject()
    // The receiver listens on 127.0.0.1, which the destination guard refuses unless allowed.
    .put("webhookAllow", "127.0.0.1")
    .put("alertRetryDelays", "PT0.3S,PT0.3S,PT0.3S")
    .put("alertAttemptTimeoutSeconds", 2));
  private static WebhookReceiver receiver;

  @BeforeAll
  static void start(Vertx vertx) {
    receiver = WebhookReceiver.start(vertx);
    browser.baseUrl("http://127.0.0.1:" + agent.port());
  }

  @AfterAll
  static void stop() {
    receiver.close();
  }

  @Test
  void an_action_group_and_a_rule_made_in_the_forms_send_a_test_and_show_each_receivers_result() {
    receiver.script("/down", Reply.status(500));
    browser.signIn(AgentFixture.ADMIN_TOKEN);
    browser.go("/alerts", "alerts");

    browser.click("New action group");
    browser.fill("name", "on-call");
    browser.click("Add webhook receiver");
    browser.fill("webhookReceivers[0].name", "chat");
    browser.fill("webhookReceivers[0].serviceUri", "http://169.254.169.254/latest/meta-data");
    browser.click("Add webhook receiver");
    browser.fill("webhookReceivers[1].name", "pager");
    browser.fill("webhookReceivers[1].serviceUri", receiver.url("/down"));
    browser.click("Save");
    String refused = browser.fieldError("webhookReceivers[0].serviceUri");
    assertTrue(refused.contains("169.254.169.254"), "the guard's message names the address: " + refused);
    assertEquals(404, agent.admin().get("/actionGroups/on-call").statusCode(), "nothing was saved");

    browser.fill("webhookReceivers[0].serviceUri", receiver.url("/up"));
    browser.click("Save");
    WebElement secrets = browser.awaitElement(By.cssSelector("section[aria-label='New webhook secrets']"));
    List<String> shown = secrets.findElements(By.cssSelector("input")).stream()
      .map(input -> input.getAttribute("value"))
      .toList();
    assertEquals(2, shown.size(), secrets.getText());
    shown.forEach(secret -> assertTrue(secret.startsWith("whsec_"), secret));
    WebElement group = browser.awaitElement(By.cssSelector("tr[data-action-group='on-call']"));
    JsonArray hooks = agent.admin().get("/actionGroups/on-call").bodyAsJsonObject().getJsonArray("webhookReceivers");
    assertEquals(List.of(receiver.url("/up"), receiver.url("/down")),
      hooks.stream().map(h -> ((JsonObject) h).getString("serviceUri")).toList());

    browser.click(group, "Send test");
    WebElement up = browser.awaitElement(By.cssSelector(".test-results tr[data-receiver='chat']"));
    WebElement down = browser.awaitElement(By.cssSelector(".test-results tr[data-receiver='pager']"));
    assertEquals("Delivered", up.findElement(By.cssSelector("[data-status]")).getAttribute("data-status"));
    assertTrue(up.getText().contains("200"), up.getText());
    assertNotEquals("Delivered", down.findElement(By.cssSelector("[data-status]")).getAttribute("data-status"));
    assertTrue(down.getText().contains("500"), down.getText());
    Received test = receiver.await("/up", got -> !got.isEmpty(), PATIENCE).get(0);
    assertEquals("true", test.json().getJsonObject("data").getJsonObject("customProperties").getString("test"));
    assertTrue(test.headers().containsKey("webhook-signature"), test.headers().toString());
    receiver.await("/down", got -> !got.isEmpty(), PATIENCE);

    browser.click("New alert rule");
    browser.fill("name", "failures");
    browser.fill("description", "Any failed target");
    browser.fill("severity", "2");
    browser.fill("windowSize", "PT10M");
    browser.fill("evaluationFrequency", "PT1M");
    browser.fill("criteria.allOf[0].metricName", "elastic_jobs_failed");
    browser.fill("criteria.allOf[0].operator", "GreaterThanOrEqual");
    browser.fill("criteria.allOf[0].threshold", "2");
    WebElement notify = browser.awaitElement(By.cssSelector("input[name='actions'][value='on-call']"));
    notify.click();
    browser.click("Save");
    WebElement rule = browser.awaitElement(By.cssSelector("tr[data-rule='failures']"));
    assertTrue(rule.getText().contains("on-call"), rule.getText());
    JsonObject saved = agent.admin().get("/alertRules/failures").bodyAsJsonObject();
    assertEquals(2, saved.getInteger("severity"), saved.encode());
    assertEquals("PT10M", saved.getString("windowSize"));
    assertEquals(new JsonArray().add("on-call"), saved.getJsonArray("actions"));
    JsonObject criterion = saved.getJsonObject("criteria").getJsonArray("allOf").getJsonObject(0);
    assertEquals("elastic_jobs_failed", criterion.getString("metricName"));
    assertEquals("GreaterThanOrEqual", criterion.getString("operator"));
    assertEquals(2.0, criterion.getDouble("threshold"));
  }
}
