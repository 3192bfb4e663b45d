package io.fleetjobs.alerts.notify;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * The body Slack's incoming webhooks take: a top-level {@code text} (the fallback shown in notifications) and
 * Block Kit {@code blocks} (https://api.slack.com/reference/block-kit/blocks): a header, sections in mrkdwn and a
 * context line of links. Texts are cut to Slack's limits (a header's plain_text 150 characters, a section's text
 * 3,000, a field 2,000, at most 10 fields and 50 blocks), since Slack refuses a whole message over one limit.
 */
public final class SlackMessage {
  static final int HEADER_MAX = 150;
  static final int SECTION_MAX = 3000;
  static final int FIELD_MAX = 2000;
  static final int FIELDS_MAX = 10;
  static final int BLOCKS_MAX = 50;

  private SlackMessage() {
  }

  public static JsonObject alert(AlertNotice notice, DashboardLinks links) {
    String title = AlertEmail.subject(notice);
    return message(title, List.of(
      header(title),
      section(escape(AlertEmail.body(notice, links))),
      context("<" + links.alert(notice.alertId()) + "|Open the alert>")));
  }

  public static JsonObject execution(ExecutionNotice notice, DashboardLinks links) {
    JsonArray fields = new JsonArray()
      .add(mrkdwn("*Job*\n" + escape(notice.jobName()) + " (version " + notice.jobVersion() + ")"))
      .add(mrkdwn("*Lifecycle*\n" + notice.lifecycle() + (notice.dryRun() ? " (dry run)" : "")))
      .add(mrkdwn("*Duration*\n" + notice.durationText()))
      .add(mrkdwn("*Targets*\n" + notice.targets()));
    for (Map.Entry<String, Integer> count : notice.counts().entrySet()) {
      if (fields.size() < FIELDS_MAX) {
        fields.add(mrkdwn("*" + count.getKey() + "*\n" + count.getValue()));
      }
    }
    JsonArray blocks = new JsonArray()
      .add(header(notice.title()));
    if (notice.dryRun()) {
      blocks.add(section("_Dry run: every script ran inside a transaction that was rolled back._"));
    }
    blocks.add(new JsonObject().put("type", "section").put("fields", fields));
    if (notice.lastMessage() != null && !notice.lastMessage().isBlank()) {
      blocks.add(section(escape(notice.lastMessage())));
    }
    if (!notice.failureGroups().isEmpty()) {
      StringBuilder failures = new StringBuilder("*Top failures*");
      notice.failureGroups().forEach(group -> failures.append("\n• ").append(escape(group.describe())));
      blocks.add(new JsonObject().put("type", "divider"));
      blocks.add(section(failures.toString()));
    }
    String execution = "<" + links.execution(notice.jobName(), notice.jobExecutionId()) + "|Open the execution>";
    blocks.add(context(notice.failedTargets() == 0 ? execution
      : execution + " · <" + links.failedTargets(notice.jobName(), notice.jobExecutionId()) + "|Failed targets>"));
    return message(notice.title(), blocks.getList());
  }

  /** The same message with a note after its header: a Defer window's summary says why it comes late. */
  static JsonObject withNote(JsonObject message, String note) {
    JsonArray blocks = message.getJsonArray("blocks", new JsonArray());
    blocks.getList().add(Math.min(1, blocks.size()), section(escape(note)));
    if (blocks.size() > BLOCKS_MAX) {
      blocks.remove(blocks.size() - 1);
    }
    return message.put("text", cut(note + " " + message.getString("text", ""), SECTION_MAX));
  }

  private static JsonObject message(String fallback, List<?> blocks) {
    JsonArray kept = new JsonArray();
    for (Object block : blocks) {
      if (kept.size() < BLOCKS_MAX) {
        kept.add(block);
      }
    }
    return new JsonObject().put("text", cut(fallback, SECTION_MAX)).put("blocks", kept);
  }

  private static JsonObject header(String text) {
    return new JsonObject()
      .put("type", "header")
      .put("text", new JsonObject().put("type", "plain_text").put("text", cut(text, HEADER_MAX)));
  }

  private static JsonObject section(String mrkdwn) {
    return new JsonObject().put("type", "section").put("text", mrkdwn(cut(mrkdwn, SECTION_MAX)));
  }

  private static JsonObject context(String mrkdwn) {
    return new JsonObject().put("type", "context").put("elements", new JsonArray().add(mrkdwn(mrkdwn)));
  }

  private static JsonObject mrkdwn(String text) {
    return new JsonObject().put("type", "mrkdwn").put("text", cut(text, FIELD_MAX));
  }

  /** Slack reads &, < and > as markup in mrkdwn; these three are all it asks to escape. */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
