package io.fleetjobs.server.targetgroups;

import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.db.Page;
import io.fleetjobs.server.db.SqlFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * All SQL on target groups. Validation and member identity live in jobs_internal.save_target_group. A group is
 * read from its member rows on a worker: mapping 10,000 of them is CPU work the event loop must not do.
 */
public final class TargetGroupRepository {
  private final Vertx vertx;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> save;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> byName;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> byId;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> page;

  public TargetGroupRepository(Pool pool, Vertx vertx) {
    this.vertx = vertx;
    save = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.save_target_group(#{name}, #{members}::jsonb) AS created");
    delete = SqlTemplate.forQuery(pool, "SELECT jobs_internal.delete_target_group(#{name})");
    // One row per member (one with a NULL target_id for a group without members), in member order.
    byName = SqlTemplate.forQuery(pool, memberRows("""
        (SELECT g.target_group_id, g.target_group_name
           FROM jobs_internal.target_groups g
          WHERE g.target_group_name = #{name})"""));
    byId = SqlTemplate.forQuery(pool, memberRows("""
        (SELECT g.target_group_id, g.target_group_name
           FROM jobs_internal.target_groups g
          WHERE g.target_group_id = #{id})"""));
    page = SqlTemplate.forQuery(pool, memberRows("""
        (SELECT g.target_group_id, g.target_group_name
           FROM jobs_internal.target_groups g
          ORDER BY g.target_group_name
          LIMIT #{limit} OFFSET #{offset})"""));
  }

  /** @param groups a subquery of the groups to read: target_group_id, target_group_name */
  private static String memberRows(String groups) {
    return """
        SELECT g.target_group_name, g.target_group_id, m.target_id, m.membership_type, m.target_type, m.engine,
               m.server_name, m.database_name, m.elastic_pool_name, c.credential_name AS refresh_credential_name,
               m.refresh_credential_id, m.trust_server_certificate, m.ssl_mode, m.authentication, m.canary
          FROM %s g
          LEFT JOIN jobs_internal.target_group_members m ON m.target_group_id = g.target_group_id
          LEFT JOIN jobs_internal.credentials c ON c.credential_id = m.refresh_credential_id
         ORDER BY g.target_group_name, m.member_position""".formatted(groups);
  }

  /**
   * @param members snake_case member objects, as the routine reads them
   * @return true when the group was created, false when replaced
   */
  public Future<Boolean> save(String name, JsonArray members) {
    return save.execute(Params.of("name", name, "members", members))
      .map(rows -> rows.iterator().next().getBoolean("created"))
      .recover(SqlFailures::translate);
  }

  public Future<TargetGroup> get(String name) {
    return byName.execute(Params.of("name", name))
      .compose(this::groups)
      .compose(groups -> Rows.single(groups,
        () -> new NotFound("target_group_name", "Target group '" + name + "' does not exist.")));
  }

  public Future<Page<TargetGroup>> list(int top, int skip) {
    return page.execute(Params.of("limit", Page.probeLimit(top), "offset", skip))
      .compose(this::groups)
      .map(groups -> Page.of(groups, top));
  }

  private Future<List<TargetGroup>> groups(RowSet<Row> rows) {
    return vertx.executeBlocking(() -> TargetGroup.fromMemberRows(rows), false);
  }

  /** The group as it is now, by the id a step version pinned: groups are expanded when a step starts. */
  public Future<TargetGroup> byId(UUID id) {
    return byId.execute(Params.of("id", id))
      .compose(this::groups)
      .compose(groups -> Rows.single(groups,
        () -> new NotFound("targetGroup", "The step's target group no longer exists.")));
  }

  public Future<Void> delete(String name) {
    return delete.execute(Params.of("name", name)).<Void>mapEmpty().recover(SqlFailures::translate);
  }
}
