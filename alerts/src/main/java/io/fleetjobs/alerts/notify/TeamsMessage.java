package io.fleetjobs.alerts.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * The body a Microsoft Teams Workflows incoming webhook takes: a message with one Adaptive Card attachment
 * ({@code application/vnd.microsoft.card.adaptive}), card version 1.4, built from TextBlock and FactSet elements
 * and Action.OpenUrl links, which every Teams client renders.
 */
public final class TeamsMessage {
  static final String CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
  static final String SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";
  static final String VERSION = "1.4";

  private TeamsMessage() {
  }

  public static JsonObject alert(AlertNotice notice, DashboardLinks links) {
    JsonArray body = new JsonArray()
      .add(title(AlertEmail.subject(notice)))
      .add(text(AlertEmail.body(notice, links)));
    JsonArray actions = new JsonArray().add(link("Open the alert", links.alert(notice.alertId())));
    return message(body, actions);
  }

  public static JsonObject execution(ExecutionNotice notice, DashboardLinks links) {
    JsonArray facts = new JsonArray()
      .add(fact("Job", notice.jobName() + " (version " + notice.jobVersion() + ")"))
      .add(fact("Lifecycle", notice.lifecycle() + (notice.dryRun() ? " (dry run)" : "")))
      .add(fact("Duration", notice.durationText()))
      .add(fact("Targets", notice.targets() + ": " + notice.countsText()));
    JsonArray body = new JsonArray().add(title(notice.title()));
    if (notice.dryRun()) {
      body.add(text("Dry run: every script ran inside a transaction that was rolled back."));
    }
    body.add(new JsonObject().put("type", "FactSet").put("facts", facts));
    if (notice.lastMessage() != null && !notice.lastMessage().isBlank()) {
      body.add(text(notice.lastMessage()));
    }
    if (!notice.failureGroups().isEmpty()) {
      body.add(title("Top failures").put("size", "Medium"));
      StringBuilder failures = new StringBuilder();
      notice.failureGroups().forEach(group -> failures.append("- ").append(group.describe()).append("\n"));
      body.add(text(failures.toString().strip()));
    }
    JsonArray actions = new JsonArray()
      .add(link("Open the execution", links.execution(notice.jobName(), notice.jobExecutionId())));
    if (notice.failedTargets() > 0) {
      actions.add(link("Failed targets", links.failedTargets(notice.jobName(), notice.jobExecutionId())));
    }
    return message(body, actions);
  }

  /** The same message with a note after its title: a Defer window's summary says why it comes late. */
  static JsonObject withNote(JsonObject message, String note) {
    JsonArray body = message.getJsonArray("attachments").getJsonObject(0).getJsonObject("content")
      .getJsonArray("body");
    body.getList().add(Math.min(1, body.size()), text(note));
    return message;
  }

  private static JsonObject message(JsonArray body, JsonArray actions) {
    JsonObject card = new JsonObject()
      .put("$schema", SCHEMA)
      .put("type", "AdaptiveCard")
      .put("version", VERSION)
      .put("body", body)
      .put("actions", actions);
    return new JsonObject()
      .put("type", "message")
      .put("attachments", new JsonArray().add(new JsonObject()
        .put("contentType", CONTENT_TYPE)
        .put("contentUrl", null)
        .put("content", card)));
  }

  private static JsonObject title(String text) {
    return new JsonObject().put("type", "TextBlock").put("text", text).put("weight", "Bolder").put("size", "Large")
      .put("wrap", true);
  }

  private static JsonObject text(String text) {
    return new JsonObject().put("type", "TextBlock").put("text", text).put("wrap", true);
  }

  private static JsonObject fact(String title, String value) {
    return new JsonObject().put("title", title).put("value", value);
  }

  private static JsonObject link(String title, String url) {
    return new JsonObject().put("type", "Action.OpenUrl").put("title", title).put("url", url);
  }
}
