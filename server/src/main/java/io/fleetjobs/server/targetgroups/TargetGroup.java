package io.fleetjobs.server.targetgroups;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

public record TargetGroup(String name, UUID targetGroupId, List<TargetGroupMember> members) {

  /**
   * Reads groups from their member rows (target_group_name, target_group_id and the member's columns), in
   * member order; a group without members has one row whose target_id is NULL. Rows rather than one JSON
   * array per group: a group of 10,000 members is read without building, printing and parsing a document
   * of that size.
   */
  public static List<TargetGroup> fromMemberRows(Iterable<Row> rows) {
    Map<UUID, TargetGroup> groups = new LinkedHashMap<>();
    for (Row row : rows) {
      TargetGroup group = groups.computeIfAbsent(row.getUUID("target_group_id"),
        id -> new TargetGroup(row.getString("target_group_name"), id, new ArrayList<>()));
      if (row.getUUID("target_id") != null) {
        group.members().add(TargetGroupMember.ROW_MAPPER.map(row));
      }
    }
    return groups.values().stream()
      .map(group -> new TargetGroup(group.name(), group.targetGroupId(), List.copyOf(group.members())))
      .toList();
  }

  public JsonObject toJson() {
    return new JsonObject()
      .put("name", name)
      .put("targetGroupId", targetGroupId.toString())
      .put("members", new JsonArray(members.stream().map(TargetGroupMember::toJson).toList()));
  }
}
