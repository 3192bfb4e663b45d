package io.fleetjobs.server.jobs;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.templates.RowMapper;
import java.time.Instant;

public record JobVersion(int version, Instant createdTime) {
  public static final RowMapper<JobVersion> ROW_MAPPER = row -> new JobVersion(
    row.getInteger("job_version"),
    row.getOffsetDateTime("created_time").toInstant());

  public JsonObject toJson() {
    return new JsonObject()
      .put("name", Integer.toString(version))
      .put("version", version)
      .put("createdTime", createdTime.toString());
  }
}
