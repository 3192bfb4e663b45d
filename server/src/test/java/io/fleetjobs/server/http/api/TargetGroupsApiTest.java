package io.fleetjobs.server.http.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Scenario;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Timeout;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(value = 2, unit = TimeUnit.MINUTES)
class TargetGroupsApiTest {
  @RegisterExtension
  static final AgentFixture agent = AgentFixture.perClass("target_groups");

  @BeforeAll
  static void setUp() {
    Scenario.on(agent)
      .credential("refresh")
      .create();
  }

  @Test
  void create_read_replace_delete_with_defaults_applied() {
    HttpResponse<Buffer> created = agent.admin().put("/targetGroups/crud", group(
      member("SqlServer", "pg1.example.com:5432").put("refreshCredential", "refresh"),
      member("SqlDatabase", "pg1.example.com:5432").put("membershipType", "Exclude").put("databaseName", "mapping"),
      member("SqlDatabase", "pg2.example.com").put("databaseName", "billing")));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject body = created.bodyAsJsonObject();
    assertEquals("crud", body.getString("name"));
    JsonArray members = body.getJsonArray("members");
    assertEquals(3, members.size());
    assertEquals("Include", members.getJsonObject(0).getString("membershipType"));
    assertEquals("postgresql", members.getJsonObject(0).getString("engine"));
    assertEquals("refresh", members.getJsonObject(0).getString("refreshCredential"));
    assertEquals("Exclude", members.getJsonObject(1).getString("membershipType"));
    assertEquals(body, agent.admin().get("/targetGroups/crud").bodyAsJsonObject());

    HttpResponse<Buffer> replaced = agent.admin().put("/targetGroups/crud", group(
      member("SqlDatabase", "pg2.example.com").put("databaseName", "billing")));
    assertEquals(200, replaced.statusCode());
    assertEquals(1, replaced.bodyAsJsonObject().getJsonArray("members").size());

    assertEquals(204, agent.admin().delete("/targetGroups/crud").statusCode());
    assertEquals(404, agent.admin().get("/targetGroups/crud").statusCode());
  }

  @Test
  void unchanged_members_keep_their_target_id_across_replaces() {
    JsonObject keep = member("SqlDatabase", "pg1.example.com").put("databaseName", "keep");
    JsonObject first = agent.admin().put("/targetGroups/stable", group(keep)).bodyAsJsonObject();
    String keptId = first.getJsonArray("members").getJsonObject(0).getString("targetId");

    JsonObject second = agent.admin().put("/targetGroups/stable", group(
      member("SqlDatabase", "pg1.example.com").put("databaseName", "new"), keep)).bodyAsJsonObject();
    JsonArray members = second.getJsonArray("members");
    assertEquals("new", members.getJsonObject(0).getString("databaseName"));
    assertEquals(keptId, members.getJsonObject(1).getString("targetId"));
    assertNotEquals(keptId, members.getJsonObject(0).getString("targetId"));
    assertEquals(first.getString("targetGroupId"), second.getString("targetGroupId"));

    JsonObject third = agent.admin().put("/targetGroups/stable", group(keep.copy().put("membershipType", "Exclude")))
      .bodyAsJsonObject();
    assertEquals(keptId, third.getJsonArray("members").getJsonObject(0).getString("targetId"),
      "a member keeps its id when only its membership type changes");
    assertEquals("Exclude", third.getJsonArray("members").getJsonObject(0).getString("membershipType"));
  }

  @Test
  void illegal_member_combinations_are_refused_naming_the_field() {
    assertRefused(group(member("SqlDatabase", "h")), "members[0].databaseName");
    assertRefused(group(member("SqlServer", "h").put("databaseName", "d").put("refreshCredential", "refresh")),
      "members[0].databaseName");
    assertRefused(group(member("SqlElasticPool", "h").put("elasticPoolName", "pool")), "members[0].engine");
    assertRefused(group(member("SqlElasticPool", "h").put("engine", "sqlserver")), "members[0].elasticPoolName");
    assertRefused(group(member("SqlServer", "h")), "members[0].refreshCredential");
    assertRefused(group(member("SqlServer", "h").put("refreshCredential", "missing")), "members[0].refreshCredential");
    assertRefused(group(member("SqlDatabase", "h").put("databaseName", "d").put("refreshCredential", "refresh")),
      "members[0].refreshCredential");
    assertRefused(group(member("SqlDatabase", "bad host!").put("databaseName", "d")), "members[0].serverName");
    assertRefused(group(member("SqlDatabase", "h:99999").put("databaseName", "d")), "members[0].serverName");
    JsonObject twice = member("SqlDatabase", "h").put("databaseName", "d");
    assertRefused(group(twice, twice.copy()), "members[1]");
    assertRefused(group(twice, twice.copy().put("membershipType", "Exclude")), "members[1]");
    assertRefused(group(twice, member("SqlDatabase", "H").put("databaseName", "d")), "members[1]");
    assertEquals(404, agent.admin().get("/targetGroups/refused").statusCode(), "nothing was stored");
  }

  @Test
  void the_first_member_with_a_problem_is_the_one_named() {
    JsonObject fine = member("SqlDatabase", "h").put("databaseName", "d");
    JsonObject badServer = member("SqlDatabase", "bad host!").put("databaseName", "e");
    assertRefused(group(fine, fine.copy(), badServer), "members[1]");
    assertRefused(group(fine, member("SqlServer", "h").put("refreshCredential", "missing"), badServer),
      "members[1].refreshCredential");
    assertRefused(group(fine, badServer, fine.copy()), "members[1].serverName");
    HttpResponse<Buffer> refused = agent.admin().put("/targetGroups/refused", group(fine, badServer));
    assertEquals("InvalidValue", refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertEquals("members[1].server_name must be a host name or address, optionally followed by :port.",
      refused.bodyAsJsonObject().getJsonObject("error").getString("message"));
  }

  @Test
  void a_group_of_10000_members_is_saved_and_an_unchanged_resave_keeps_every_target_id() {
    JsonArray members = new JsonArray();
    for (int i = 0; i < 10_000; i++) {
      members.add(member("SqlDatabase", "pg" + (i % 100) + ".example.com:5432").put("databaseName", "tenant_" + i));
    }
    JsonObject body = new JsonObject().put("members", members);
    HttpResponse<Buffer> created = agent.admin().put("/targetGroups/large", body);
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonArray saved = created.bodyAsJsonObject().getJsonArray("members");
    assertEquals(10_000, saved.size());
    assertEquals("tenant_9999", saved.getJsonObject(9_999).getString("databaseName"), "in the given order");

    HttpResponse<Buffer> again = agent.admin().put("/targetGroups/large", body);
    assertEquals(200, again.statusCode(), again.bodyAsString());
    assertEquals(targetIds(saved), targetIds(again.bodyAsJsonObject().getJsonArray("members")));

    members.getJsonObject(0).put("databaseName", "moved");
    JsonArray changed = agent.admin().put("/targetGroups/large", body).bodyAsJsonObject().getJsonArray("members");
    assertNotEquals(saved.getJsonObject(0).getString("targetId"), changed.getJsonObject(0).getString("targetId"));
    assertEquals(targetIds(saved).subList(1, 10_000), targetIds(changed).subList(1, 10_000));
    assertEquals(10_000, agent.admin().get("/targetGroups/large").bodyAsJsonObject().getJsonArray("members").size());
  }

  private static java.util.List<String> targetIds(JsonArray members) {
    return members.stream().map(member -> ((JsonObject) member).getString("targetId")).toList();
  }

  @Test
  void a_sqlserver_elastic_pool_member_is_accepted_without_refresh_credential() {
    HttpResponse<Buffer> created = agent.admin().put("/targetGroups/pool", group(
      member("SqlElasticPool", "srv.database.windows.net").put("engine", "sqlserver").put("elasticPoolName", "Pool-1")));
    assertEquals(201, created.statusCode(), created.bodyAsString());
  }

  @Test
  void a_sqlserver_member_may_trust_its_server_certificate_and_keeps_its_id_when_that_changes() {
    JsonObject sales = member("SqlDatabase", "sql1.example.com").put("engine", "sqlserver")
      .put("databaseName", "sales");
    HttpResponse<Buffer> created = agent.admin().put("/targetGroups/trusting", group(
      sales.copy().put("trustServerCertificate", true),
      member("SqlDatabase", "pg1.example.com").put("databaseName", "d").put("trustServerCertificate", false)));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonArray members = created.bodyAsJsonObject().getJsonArray("members");
    assertEquals(true, members.getJsonObject(0).getBoolean("trustServerCertificate"));
    assertEquals(false, members.getJsonObject(1).getBoolean("trustServerCertificate"));
    assertEquals(created.bodyAsJsonObject(), agent.admin().get("/targetGroups/trusting").bodyAsJsonObject());

    JsonObject verified = agent.admin().put("/targetGroups/trusting", group(sales)).bodyAsJsonObject();
    JsonObject member = verified.getJsonArray("members").getJsonObject(0);
    assertEquals(false, member.getBoolean("trustServerCertificate"), "false unless given");
    assertEquals(members.getJsonObject(0).getString("targetId"), member.getString("targetId"),
      "the flag is not part of what a member selects");
  }

  @Test
  void a_postgresql_member_cannot_trust_its_server_certificate_and_the_refusal_stores_nothing() {
    assertRefused(group(member("SqlDatabase", "h").put("databaseName", "d").put("trustServerCertificate", true)),
      "members[0].trustServerCertificate");
    assertRefused(group(member("SqlServer", "h").put("refreshCredential", "refresh")
      .put("trustServerCertificate", true)), "members[0].trustServerCertificate");
    assertEquals(404, agent.admin().get("/targetGroups/refused").statusCode(), "nothing was stored");

    JsonObject before = agent.admin().put("/targetGroups/unchanged", group(
      member("SqlDatabase", "sql1.example.com").put("engine", "sqlserver").put("databaseName", "sales")))
      .bodyAsJsonObject();
    HttpResponse<Buffer> refused = agent.admin().put("/targetGroups/unchanged", group(
      member("SqlDatabase", "sql1.example.com").put("engine", "sqlserver").put("databaseName", "sales")
        .put("trustServerCertificate", true),
      member("SqlDatabase", "pg1.example.com").put("databaseName", "d").put("trustServerCertificate", true)));
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    assertEquals("members[1].trustServerCertificate",
      refused.bodyAsJsonObject().getJsonObject("error").getString("target"));
    assertEquals(before, agent.admin().get("/targetGroups/unchanged").bodyAsJsonObject(),
      "the group is as it was, its sqlserver member still verifying the certificate");
  }

  @Test
  void group_used_by_a_step_cannot_be_deleted_and_the_refusal_names_the_step() {
    Scenario.on(agent)
      .credential("uses-group-login")
      .group("used")
      .databasesOn("h", "d")
      .job("uses-group")
      .step("the-step", "SELECT 1")
      .create();
    HttpResponse<Buffer> refused = agent.admin().delete("/targetGroups/used");
    assertEquals(409, refused.statusCode());
    assertTrue(refused.bodyAsJsonObject().getJsonObject("error").getString("message").contains("the-step"));

    agent.admin().delete("/jobs/uses-group/steps/the-step");
    assertEquals(204, agent.admin().delete("/targetGroups/used").statusCode(),
      "only the current version counts: history does not pin the group");
  }

  private static void assertRefused(JsonObject body, String target) {
    HttpResponse<Buffer> refused = agent.admin().put("/targetGroups/refused", body);
    assertEquals(400, refused.statusCode(), refused.bodyAsString());
    assertEquals(target, refused.bodyAsJsonObject().getJsonObject("error").getString("target"), refused.bodyAsString());
  }

  static JsonObject group(JsonObject... members) {
    return new JsonObject().put("members", new JsonArray(java.util.List.of((Object[]) members)));
  }

  static JsonObject member(String type, String server) {
    return new JsonObject().put("type", type).put("serverName", server);
  }
}
