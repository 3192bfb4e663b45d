package io.fleetjobs.server.tokens;

import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** All SQL on access tokens. Secrets never reach it: only their hashes. */
public final class AccessTokenRepository {
  private final SqlTemplate<Map<String, Object>, RowSet<AccessToken>> byHash;
  private final SqlTemplate<Map<String, Object>, RowSet<AccessToken>> insert;
  private final SqlTemplate<Map<String, Object>, RowSet<AccessToken>> insertFirstAdmin;
  private final SqlTemplate<Map<String, Object>, RowSet<AccessToken>> list;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> rolesByHash;

  public AccessTokenRepository(Pool pool) {
    byHash = SqlTemplate.forQuery(pool, """
        SELECT token_name, token_role, created_time FROM jobs_internal.access_tokens WHERE token_hash = #{hash}""")
      .mapTo(AccessToken.ROW_MAPPER);
    insert = SqlTemplate.forQuery(pool, """
        INSERT INTO jobs_internal.access_tokens (token_name, token_role, token_hash)
        VALUES (#{name}, #{role}, #{hash})
        ON CONFLICT (token_name) DO NOTHING
        RETURNING token_name, token_role, created_time""")
      .mapTo(AccessToken.ROW_MAPPER);
    // Only into an empty table: the first agent to start on a new job database mints the admin token.
    insertFirstAdmin = SqlTemplate.forQuery(pool, """
        INSERT INTO jobs_internal.access_tokens (token_name, token_role, token_hash)
        SELECT 'admin', 'admin', #{hash}
         WHERE NOT EXISTS (SELECT 1 FROM jobs_internal.access_tokens)
        ON CONFLICT (token_name) DO NOTHING
        RETURNING token_name, token_role, created_time""")
      .mapTo(AccessToken.ROW_MAPPER);
    list = SqlTemplate.forQuery(pool, """
        SELECT token_name, token_role, created_time FROM jobs_internal.access_tokens ORDER BY token_name""")
      .mapTo(AccessToken.ROW_MAPPER);
    delete = SqlTemplate.forQuery(pool, "DELETE FROM jobs_internal.access_tokens WHERE token_name = #{name}");
    rolesByHash = SqlTemplate.forQuery(pool, """
        SELECT token_hash, token_role FROM jobs_internal.access_tokens WHERE token_hash = ANY(#{hashes})""");
  }

  /** @return the token with this hash, or null when there is none */
  public Future<AccessToken> tokenOf(byte[] hash) {
    return byHash.execute(Map.of("hash", Buffer.buffer(hash)))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  /** @return the current role of each hash that still names a token; a revoked one is missing */
  public Future<Map<Buffer, Role>> rolesOf(Collection<Buffer> hashes) {
    return rolesByHash.execute(Map.of("hashes", hashes.toArray(Buffer[]::new)))
      .map(rows -> {
        Map<Buffer, Role> roles = new HashMap<>();
        rows.forEach(row -> roles.put(row.getBuffer("token_hash"), Role.parse(row.getString("token_role"))));
        return roles;
      });
  }

  public Future<AccessToken> create(String name, Role role, byte[] hash) {
    return insert.execute(Map.of("name", name, "role", role.wireName(), "hash", Buffer.buffer(hash)))
      .compose(rows -> Rows.single(rows,
        () -> new Conflict("name", "A token named '" + name + "' already exists.")));
  }

  /** @return whether this call created the first admin token */
  public Future<Boolean> createFirstAdmin(byte[] hash) {
    return insertFirstAdmin.execute(Map.of("hash", Buffer.buffer(hash))).map(rows -> rows.size() == 1);
  }

  public Future<List<AccessToken>> list() {
    return list.execute(Map.of())
      .map(rows -> Rows.list(rows));
  }

  public Future<Void> revoke(String name) {
    return delete.execute(Map.of("name", name))
      .compose(result -> result.rowCount() == 1
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(new NotFound("name", "Token '" + name + "' does not exist.")));
  }
}
