package io.fleetjobs.server.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A real HTTP receiver that takes what Slack's and Microsoft Teams' incoming webhooks take, and refuses what they
 * would refuse: paths under /slack/ get Slack's checks, paths under /teams/ the Teams Workflows checks. A refused
 * body gets 400 with the reasons, as Slack answers invalid_blocks, and the reasons are kept for the test.
 *
 * <p>Slack (https://api.slack.com/reference/block-kit/blocks): a top-level text fallback, at most 50 blocks, each of
 * type section, header, context or divider; text objects {type: mrkdwn|plain_text, text}; a header's text is
 * plain_text of at most 150 characters; a section's text at most 3,000, its fields at most 10 of 2,000 each, and a
 * section has text or fields; a context has 1 to 10 elements. Teams: {"type": "message", "attachments": [...]}
 * whose attachment has contentType application/vnd.microsoft.card.adaptive and content an AdaptiveCard with
 * $schema, version 1.4 or later and body elements of known types, each TextBlock with text, each FactSet with
 * facts of title and value, each action an Action.OpenUrl with title and url.
 */
public final class ChatWebhookReceiver extends HttpReceiver<ChatWebhookReceiver.Received> {
  private static final Set<String> SLACK_BLOCKS = Set.of("section", "header", "context", "divider");
  private static final Set<String> CARD_ELEMENTS = Set.of("TextBlock", "FactSet", "Container", "ColumnSet",
    "Image", "RichTextBlock", "ActionSet");

  /** A request as it arrived, and what was wrong with it (empty: it was valid). */
  public record Received(String path, String body, List<String> problems) implements HttpReceiver.Arrival {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  private ChatWebhookReceiver(Vertx vertx) {
    super(vertx);
  }

  public static ChatWebhookReceiver start(Vertx vertx) {
    return listening(new ChatWebhookReceiver(vertx));
  }

  @Override
  protected Received arrival(HttpServerRequest request, Buffer body) {
    String path = request.path();
    List<String> problems = new ArrayList<>();
    if (!"application/json".equals(request.getHeader("content-type"))) {
      problems.add("content-type is " + request.getHeader("content-type"));
    }
    try {
      JsonObject json = new JsonObject(body.toString());
      if (path.startsWith("/slack/")) {
        slack(json, problems);
      } else if (path.startsWith("/teams/")) {
        teams(json, problems);
      }
    } catch (DecodeException | ClassCastException e) {
      problems.add("not a JSON object of the right shape: " + e.getMessage());
    }
    return new Received(path, body.toString(), List.copyOf(problems));
  }

  @Override
  protected void answer(HttpServerRequest request, Received arrival) {
    List<String> problems = arrival.problems();
    request.response().setStatusCode(problems.isEmpty() ? 200 : 400)
      .end(problems.isEmpty() ? "ok" : "invalid_payload: " + problems);
  }

  private static void slack(JsonObject message, List<String> problems) {
    if (!(message.getValue("text") instanceof String text) || text.isBlank()) {
      problems.add("no top-level text fallback");
    }
    JsonArray blocks = message.getJsonArray("blocks");
    if (blocks == null || blocks.isEmpty()) {
      problems.add("no blocks");
      return;
    }
    if (blocks.size() > 50) {
      problems.add(blocks.size() + " blocks, more than 50");
    }
    for (int i = 0; i < blocks.size(); i++) {
      JsonObject block = blocks.getJsonObject(i);
      String where = "blocks[" + i + "]";
      String type = block.getString("type");
      if (!SLACK_BLOCKS.contains(type)) {
        problems.add(where + " has type " + type);
        continue;
      }
      switch (type) {
        case "header" -> {
          textObject(block.getJsonObject("text"), where + ".text", 150, problems);
          if (block.getJsonObject("text") != null
            && !"plain_text".equals(block.getJsonObject("text").getString("type"))) {
            problems.add(where + ".text of a header must be plain_text");
          }
        }
        case "section" -> {
          JsonArray fields = block.getJsonArray("fields");
          if (block.getJsonObject("text") == null && (fields == null || fields.isEmpty())) {
            problems.add(where + " has neither text nor fields");
          }
          if (block.getJsonObject("text") != null) {
            textObject(block.getJsonObject("text"), where + ".text", 3000, problems);
          }
          if (fields != null) {
            if (fields.size() > 10) {
              problems.add(where + " has " + fields.size() + " fields, more than 10");
            }
            for (int f = 0; f < fields.size(); f++) {
              textObject(fields.getJsonObject(f), where + ".fields[" + f + "]", 2000, problems);
            }
          }
        }
        case "context" -> {
          JsonArray elements = block.getJsonArray("elements");
          if (elements == null || elements.isEmpty() || elements.size() > 10) {
            problems.add(where + " needs 1 to 10 elements");
          } else {
            for (int e = 0; e < elements.size(); e++) {
              textObject(elements.getJsonObject(e), where + ".elements[" + e + "]", 3000, problems);
            }
          }
        }
        default -> {
        }
      }
    }
  }

  private static void textObject(JsonObject text, String where, int max, List<String> problems) {
    if (text == null) {
      problems.add(where + " is missing");
      return;
    }
    String type = text.getString("type");
    if (!"mrkdwn".equals(type) && !"plain_text".equals(type)) {
      problems.add(where + ".type is " + type);
    }
    String value = text.getString("text");
    if (value == null || value.isEmpty()) {
      problems.add(where + ".text is empty");
    } else if (value.length() > max) {
      problems.add(where + ".text has " + value.length() + " characters, more than " + max);
    }
  }

  private static void teams(JsonObject message, List<String> problems) {
    if (!"message".equals(message.getString("type"))) {
      problems.add("type is " + message.getString("type") + ", not message");
    }
    JsonArray attachments = message.getJsonArray("attachments");
    if (attachments == null || attachments.size() != 1) {
      problems.add("needs exactly one attachment");
      return;
    }
    JsonObject attachment = attachments.getJsonObject(0);
    if (!"application/vnd.microsoft.card.adaptive".equals(attachment.getString("contentType"))) {
      problems.add("attachments[0].contentType is " + attachment.getString("contentType"));
    }
    JsonObject card = attachment.getJsonObject("content");
    if (card == null) {
      problems.add("attachments[0].content is missing");
      return;
    }
    if (!"AdaptiveCard".equals(card.getString("type"))) {
      problems.add("card type is " + card.getString("type"));
    }
    if (card.getString("$schema") == null || !card.getString("$schema").contains("adaptivecards.io")) {
      problems.add("card $schema is " + card.getString("$schema"));
    }
    String version = card.getString("version", "0");
    String[] parts = version.split("\\.");
    if (parts.length != 2 || Integer.parseInt(parts[0]) < 1 || Integer.parseInt(parts[0]) == 1
      && Integer.parseInt(parts[1]) < 4) {
      problems.add("card version " + version + " is below 1.4");
    }
    JsonArray body = card.getJsonArray("body");
    if (body == null || body.isEmpty()) {
      problems.add("card body is empty");
      return;
    }
    for (int i = 0; i < body.size(); i++) {
      JsonObject element = body.getJsonObject(i);
      String where = "body[" + i + "]";
      if (!CARD_ELEMENTS.contains(element.getString("type"))) {
        problems.add(where + " has type " + element.getString("type"));
      } else if ("TextBlock".equals(element.getString("type"))
        && (element.getString("text") == null || element.getString("text").isEmpty())) {
        problems.add(where + " is a TextBlock without text");
      } else if ("FactSet".equals(element.getString("type"))) {
        JsonArray facts = element.getJsonArray("facts");
        if (facts == null || facts.isEmpty()) {
          problems.add(where + " is a FactSet without facts");
        } else {
          facts.forEach(fact -> {
            JsonObject f = (JsonObject) fact;
            if (f.getString("title") == null || f.getString("value") == null) {
              problems.add(where + " has a fact without title or value: " + f.encode());
            }
          });
        }
      }
    }
    JsonArray actions = card.getJsonArray("actions", new JsonArray());
    for (int i = 0; i < actions.size(); i++) {
      JsonObject action = actions.getJsonObject(i);
      if (!"Action.OpenUrl".equals(action.getString("type")) || action.getString("url") == null
        || action.getString("title") == null) {
        problems.add("actions[" + i + "] is not an Action.OpenUrl with title and url: " + action.encode());
      }
    }
  }
}
