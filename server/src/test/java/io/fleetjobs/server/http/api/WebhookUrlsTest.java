package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.fleetjobs.server.testsupport.WebhookReceiver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A webhook URL's query and fragment, where such URLs carry their secrets, are shown only to admins; every
 * other role sees them masked, in action groups, in test results and in the delivery log.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WebhookUrlsTest {
  private static final String SECRET = "s3cret-hook-token";
  private static AgentFixture agent;
  private static WebhookReceiver receiver;
  private static String url;
  private static String masked;

  @BeforeAll
  static void start(Vertx vertx) {
    receiver = WebhookReceiver.start(vertx);
    agent = AgentFixture.start(vertx, "webhook_urls", new JsonObject().put("webhookAllow", "127.0.0.1"));
    url = receiver.url("/hook") + "?token=" + SECRET + "&team=dba&flag#" + SECRET;
    masked = receiver.url("/hook") + "?token=***&team=***&***#***";
    HttpResponse<Buffer> saved = agent.admin().put("/actionGroups/hooks", new JsonObject()
      .put("webhookReceivers", new JsonArray().add(new JsonObject().put("name", "pager").put("serviceUri", url))));
    assertEquals(201, saved.statusCode(), saved.bodyAsString());
  }

  @AfterAll
  static void stop() {
    agent.close();
    receiver.close();
  }

  @Test
  void readers_and_operators_see_the_url_masked_everywhere() {
    ApiClient operator = agent.as("operator");
    HttpResponse<Buffer> tested = operator.post("/actionGroups/hooks/test", new JsonObject());
    assertEquals(200, tested.statusCode(), tested.bodyAsString());
    assertEquals(masked, tested.bodyAsJsonObject().getJsonArray("results").getJsonObject(0).getString("address"));

    for (ApiClient caller : List.of(agent.as("reader"), operator)) {
      JsonObject group = caller.get("/actionGroups/hooks").bodyAsJsonObject();
      assertEquals(masked, group.getJsonArray("webhookReceivers").getJsonObject(0).getString("serviceUri"));
      JsonObject notification = caller.get("/alerts/notifications").bodyAsJsonObject().getJsonArray("value")
        .getJsonObject(0);
      assertEquals(masked, notification.getString("address"));
      for (String path : List.of("/actionGroups", "/actionGroups/hooks", "/alerts/notifications",
        "/alerts/notifications/" + notification.getString("id"))) {
        String body = caller.get(path).bodyAsString();
        assertFalse(body.contains(SECRET), path + " shows the secret: " + body);
      }
    }
  }

  @Test
  void admins_see_the_whole_url() {
    JsonObject group = agent.admin().get("/actionGroups/hooks").bodyAsJsonObject();
    assertEquals(url, group.getJsonArray("webhookReceivers").getJsonObject(0).getString("serviceUri"));
    assertTrue(agent.admin().get("/actionGroups").bodyAsString().contains(SECRET));
  }
}
