package io.fleetjobs.server.targetgroups;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.util.List;
import java.util.UUID;

public record TargetGroup(String name, UUID targetGroupId, List<TargetGroupMember> members) {
  public static final RowMapper<TargetGroup> ROW_MAPPER = row -> new TargetGroup(
    row.getString("target_group_name"),
    row.getUUID("target_group_id"),
    ((JsonArray) row.getValue("members")).stream()
      .map(member -> TargetGroupMember.fromJson((JsonObject) member))
      .toList());

  public JsonObject toJson() {
    return new JsonObject()
      .put("name", name)
      .put("targetGroupId", targetGroupId.toString())
      .put("members", new JsonArray(members.stream().map(TargetGroupMember::toJson).toList()));
  }
}
