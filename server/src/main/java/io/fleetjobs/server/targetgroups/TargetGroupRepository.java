package io.fleetjobs.server.targetgroups;

import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.server.db.Page;
import io.fleetjobs.server.db.SqlFailures;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.Map;
import java.util.UUID;

/** All SQL on target groups. Validation and member identity live in jobs_internal.save_target_group. */
public final class TargetGroupRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> save;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;
  private final SqlTemplate<Map<String, Object>, RowSet<TargetGroup>> page;

  public TargetGroupRepository(Pool pool) {
    save = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.save_target_group(#{name}, #{members}::jsonb) AS created");
    delete = SqlTemplate.forQuery(pool, "SELECT jobs_internal.delete_target_group(#{name})");
    // name NULL lists all groups; members come back as one JSON array per group, in their given order.
    page = SqlTemplate.forQuery(pool, """
        SELECT g.target_group_name, g.target_group_id,
               coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
                          'targetId', m.target_id, 'membershipType', m.membership_type, 'type', m.target_type,
                          'engine', m.engine, 'serverName', m.server_name, 'databaseName', m.database_name,
                          'elasticPoolName', m.elastic_pool_name, 'refreshCredential', c.credential_name,
                          'refreshCredentialId', m.refresh_credential_id,
                          'trustServerCertificate', m.trust_server_certificate, 'sslMode', m.ssl_mode,
                          'authentication', m.authentication))
                        ORDER BY m.member_position) FILTER (WHERE m.target_id IS NOT NULL),
                        '[]'::jsonb) AS members
          FROM jobs_internal.target_groups g
          LEFT JOIN jobs_internal.target_group_members m ON m.target_group_id = g.target_group_id
          LEFT JOIN jobs_internal.credentials c ON c.credential_id = m.refresh_credential_id
         WHERE (#{name}::text IS NULL OR g.target_group_name = #{name})
           AND (#{id}::uuid IS NULL OR g.target_group_id = #{id})
         GROUP BY g.target_group_id
         ORDER BY g.target_group_name
         LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(TargetGroup.ROW_MAPPER);
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
    return page.execute(Params.of("name", name, "id", null, "limit", 1, "offset", 0))
      .compose(rows -> Rows.single(rows,
        () -> new NotFound("target_group_name", "Target group '" + name + "' does not exist.")));
  }

  public Future<Page<TargetGroup>> list(int top, int skip) {
    return page.execute(Params.of("name", null, "id", null, "limit", Page.probeLimit(top), "offset", skip))
      .map(rows -> Page.of(Rows.list(rows), top));
  }

  /** The group as it is now, by the id a step version pinned: groups are expanded when a step starts. */
  public Future<TargetGroup> byId(UUID id) {
    return page.execute(Params.of("name", null, "id", id, "limit", 1, "offset", 0))
      .compose(rows -> Rows.single(rows, () -> new NotFound("targetGroup", "The step's target group no longer exists.")));
  }

  public Future<Void> delete(String name) {
    return delete.execute(Params.of("name", name)).<Void>mapEmpty().recover(SqlFailures::translate);
  }
}
