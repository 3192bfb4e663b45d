package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class ChatPayloadsTest {
  private static final DashboardLinks LINKS = new DashboardLinks("https://jobs.example.com/");
  private static final UUID EXECUTION = UUID.fromString("00000000-0000-0000-0000-000000000007");

  @Test
  void slack_texts_stay_within_block_kit_limits_however_long_the_job_name_and_messages() {
    ExecutionNotice notice = notice("j".repeat(128), "x".repeat(10_000), 20, false);
    JsonObject message = SlackMessage.execution(notice, LINKS);
    JsonArray blocks = message.getJsonArray("blocks");
    assertTrue(blocks.size() <= SlackMessage.BLOCKS_MAX);
    JsonObject header = blocks.getJsonObject(0);
    assertEquals("header", header.getString("type"));
    assertEquals("plain_text", header.getJsonObject("text").getString("type"));
    assertTrue(header.getJsonObject("text").getString("text").length() <= SlackMessage.HEADER_MAX);
    for (Object item : blocks) {
      JsonObject block = (JsonObject) item;
      if (block.getJsonObject("text") != null) {
        assertTrue(block.getJsonObject("text").getString("text").length() <= SlackMessage.SECTION_MAX, block.encode());
      }
      JsonArray fields = block.getJsonArray("fields", new JsonArray());
      assertTrue(fields.size() <= SlackMessage.FIELDS_MAX, block.encode());
    }
    assertFalse(message.getString("text").isBlank());
  }

  @Test
  void slack_mrkdwn_escapes_what_slack_reads_as_markup_and_links_the_execution_and_failed_targets() {
    JsonObject message = SlackMessage.execution(notice("a<b>&c", "relation <x> failed", 1, false), LINKS);
    String encoded = message.encode();
    assertTrue(encoded.contains("a&lt;b&gt;&amp;c"), encoded);
    assertTrue(encoded.contains("<" + LINKS.execution("a<b>&c", EXECUTION) + "|Open the execution>"), encoded);
    assertTrue(encoded.contains("<" + LINKS.failedTargets("a<b>&c", EXECUTION) + "|Failed targets>"), encoded);
    assertTrue(encoded.contains("/#/jobs/a%3Cb%3E%26c/executions/"), "the job in the link is URL-encoded");
  }

  @Test
  void a_dry_run_says_so_in_every_format() {
    ExecutionNotice notice = notice("nightly", "boom", 2, true);
    assertTrue(SlackMessage.execution(notice, LINKS).getString("text").startsWith("[Dry run]"));
    assertTrue(TeamsMessage.execution(notice, LINKS).encode().contains("Dry run"));
    assertTrue(ExecutionNoticeSchema.render(notice, LINKS, Instant.EPOCH).getJsonObject("data").getBoolean("dryRun"));
    assertTrue(ExecutionEmail.compose(notice, LINKS, "<id@x>").subject().contains("[Dry run]"));
  }

  @Test
  void teams_gets_one_adaptive_card_attachment_with_facts_and_links() {
    JsonObject message = TeamsMessage.execution(notice("nightly", "boom", 3, false), LINKS);
    assertEquals("message", message.getString("type"));
    JsonObject attachment = message.getJsonArray("attachments").getJsonObject(0);
    assertEquals("application/vnd.microsoft.card.adaptive", attachment.getString("contentType"));
    JsonObject card = attachment.getJsonObject("content");
    assertEquals("AdaptiveCard", card.getString("type"));
    assertEquals("1.4", card.getString("version"));
    assertTrue(card.getString("$schema").startsWith("http://adaptivecards.io/"));
    assertEquals("FactSet", card.getJsonArray("body").getJsonObject(1).getString("type"));
    assertEquals(LINKS.failedTargets("nightly", EXECUTION), card.getJsonArray("actions").getJsonObject(1).getString("url"));
  }

  @Test
  void a_deferred_summary_keeps_the_chat_format_and_adds_its_note() {
    JsonObject slack = SlackMessage.withNote(SlackMessage.execution(notice("n", "m", 1, false), LINKS), "Held.");
    assertEquals("header", slack.getJsonArray("blocks").getJsonObject(0).getString("type"));
    assertEquals("Held.", slack.getJsonArray("blocks").getJsonObject(1).getJsonObject("text").getString("text"));
    JsonObject teams = TeamsMessage.withNote(TeamsMessage.execution(notice("n", "m", 1, false), LINKS), "Held.");
    assertEquals("Held.", teams.getJsonArray("attachments").getJsonObject(0).getJsonObject("content")
      .getJsonArray("body").getJsonObject(1).getString("text"));
  }

  private static ExecutionNotice notice(String job, String cause, int groups, boolean dryRun) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    counts.put("Succeeded", 40);
    counts.put("Failed", groups);
    List<ExecutionNotice.FailureGroup> failures = new ArrayList<>();
    for (int i = 0; i < groups; i++) {
      failures.add(new ExecutionNotice.FailureGroup("Failed", "42P01", cause + i, 1));
    }
    return new ExecutionNotice("notify", EXECUTION, job, 3, "Failed", dryRun, Instant.EPOCH,
      Instant.EPOCH.plusSeconds(75), Duration.ofSeconds(75), "Job execution ended Failed", counts, failures);
  }
}
