package io.fleetjobs.server.credentials;

import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.fleetjobs.common.secrets.PlatformSecrets;
import io.fleetjobs.common.secrets.SecretReference;
import io.fleetjobs.server.db.Page;
import io.fleetjobs.server.db.SqlFailures;
import io.fleetjobs.server.security.SecretBox;
import io.fleetjobs.server.targets.Login;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.Map;
import java.util.UUID;

/**
 * All SQL on credentials. Passwords are sealed before they leave the agent and opened only for a connection; a
 * password given by reference to the platform's secrets is stored as the reference and read when used.
 */
public final class CredentialRepository {
  private static final String COLUMNS = "credential_name, username, password_from, created_time, updated_time";

  private final SecretBox secretBox;
  private final PlatformSecrets platform;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> save;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> delete;
  private final SqlTemplate<Map<String, Object>, RowSet<Credential>> page;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> sealedPassword;

  public CredentialRepository(Pool pool, SecretBox secretBox, PlatformSecrets platform) {
    this.secretBox = secretBox;
    this.platform = platform;
    save = SqlTemplate.forQuery(pool,
      "SELECT jobs_internal.save_credential(#{name}, #{username}, #{sealed}, #{passwordFrom}) AS created");
    delete = SqlTemplate.forQuery(pool, "SELECT jobs_internal.delete_credential(#{name})");
    // name NULL lists all; otherwise reads the one credential.
    page = SqlTemplate.forQuery(pool, "SELECT " + COLUMNS + """
         FROM jobs_internal.credentials
        WHERE #{name}::text IS NULL OR credential_name = #{name}
        ORDER BY credential_name
        LIMIT #{limit} OFFSET #{offset}""")
      .mapTo(Credential.ROW_MAPPER);
    sealedPassword = SqlTemplate.forQuery(pool, """
        SELECT credential_name, username, password_sealed, password_from FROM jobs_internal.credentials
         WHERE credential_id = #{id} OR credential_name = #{name}""");
  }

  /**
   * @param password the value, sealed here; or null with {@code passwordFrom}
   * @param passwordFrom where the password is read when used; or null with {@code password}
   * @return true when the credential was created, false when replaced
   */
  public Future<Boolean> save(String name, String username, String password, SecretReference passwordFrom) {
    Map<String, Object> params = Params.of(
      "name", name,
      "username", username,
      // The routine refuses neither or both, naming password.
      "sealed", password == null ? null : Buffer.buffer(secretBox.seal(password, sealContext(name))),
      "passwordFrom", passwordFrom == null ? null : passwordFrom.toJson());
    return save.execute(params)
      .map(rows -> rows.iterator().next().getBoolean("created"))
      .recover(SqlFailures::translate);
  }

  public Future<Credential> get(String name) {
    return page.execute(Params.of("name", name, "limit", 1, "offset", 0))
      .compose(rows -> Rows.single(rows, () -> notFound(name)));
  }

  public Future<Page<Credential>> list(int top, int skip) {
    return page.execute(Params.of("name", null, "limit", Page.probeLimit(top), "offset", skip))
      .map(rows -> Page.of(Rows.list(rows), top));
  }

  public Future<Void> delete(String name) {
    return delete.execute(Map.of("name", name)).<Void>mapEmpty().recover(SqlFailures::translate);
  }

  /** The login with its opened password, for a connection to a target; by the id a step version pinned. */
  public Future<Login> login(UUID credentialId) {
    return sealedPassword.execute(Params.of("id", credentialId, "name", null))
      .compose(rows -> Rows.single(rows, () -> new NotFound("credential", "The step's credential no longer exists.")))
      .compose(this::open);
  }

  /** The login with its opened password, by the credential's name, for testing it before a run. */
  public Future<Login> login(String name) {
    return sealedPassword.execute(Params.of("id", null, "name", name))
      .compose(rows -> Rows.single(rows, () -> notFound(name)))
      .compose(this::open);
  }

  private Future<Login> open(Row row) {
    String name = row.getString("credential_name");
    String username = row.getString("username");
    Object reference = row.getValue("password_from");
    if (reference != null) {
      return platform.read(SecretReference.fromJson((JsonObject) reference, "passwordFrom"), "passwordFrom",
          "credential '" + name + "'")
        .map(password -> new Login(username, password));
    }
    return Future.succeededFuture(new Login(username,
      secretBox.open(row.getBuffer("password_sealed").getBytes(), sealContext(name))));
  }

  private static String sealContext(String name) {
    return "credential:" + name;
  }

  private static NotFound notFound(String name) {
    return new NotFound("credential_name", "Credential '" + name + "' does not exist.");
  }
}
