package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.groups.ActionGroup;
import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.notify.WebhookSecrets;
import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.secrets.PlatformSecrets;
import io.fleetjobs.common.secrets.SecretReference;
import io.fleetjobs.common.sql.Params;
import io.fleetjobs.common.sql.Rows;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * All SQL on action groups. Webhook secrets are sealed before they are stored and leave only to sign a
 * delivery, except a generated one, which the save that made it shows once. A webhook secret given by reference
 * ({@code secretFrom}) is stored as the reference only, shown as it, and read from the platform at each delivery,
 * so a rotated secret signs the next one. Slack and Teams URLs are sealed the same way and leave only to deliver:
 * the API shows their scheme and host. Statements that run in a transaction are made per call on its connection,
 * since a template is bound to one client; the statements on the pool are made once.
 */
public final class ActionGroupRepository {
  private static final String UPSERT_GROUP = """
      INSERT INTO alerts.action_groups (group_name) VALUES (#{group})
      ON CONFLICT (group_name) DO UPDATE SET updated_at = now()
      RETURNING (xmax = 0) AS created""";
  private static final String LOCK_WEBHOOK_SECRETS = """
      SELECT receiver_name, kind, address, secret_sealed, secret_from FROM alerts.receivers
       WHERE group_name = #{group} AND (secret_sealed IS NOT NULL OR secret_from IS NOT NULL) FOR UPDATE""";
  private static final String DELETE_RECEIVERS = "DELETE FROM alerts.receivers WHERE group_name = #{group}";
  private static final String INSERT_RECEIVER = """
      INSERT INTO alerts.receivers (group_name, receiver_name, kind, address, use_common_alert_schema,
                                    secret_sealed, secret_from, position)
      VALUES (#{group}, #{receiver}, #{kind}, #{address}, #{commonSchema}, #{secret}, #{secretFrom}, #{position})""";
  private static final String RULES_USING = """
      SELECT rule_name FROM alerts.alert_rules WHERE definition -> 'actions' ? #{group} ORDER BY rule_name""";
  private static final String DELETE_GROUP = "DELETE FROM alerts.action_groups WHERE group_name = #{group}";
  /** Taken before a delete looks for users, so a save that names the group meanwhile is seen or waits. */
  private static final String LOCK_GROUP = """
      SELECT group_name FROM alerts.action_groups WHERE group_name = #{group} FOR UPDATE""";
  /** Held by whoever stores a reference to the groups until it commits, so none is deleted under it. */
  private static final String SHARE_GROUPS = """
      SELECT group_name FROM alerts.action_groups WHERE group_name = ANY(#{names}) FOR SHARE""";
  private static final String RECEIVERS = """
      SELECT group_name, receiver_name, kind, address, use_common_alert_schema, disabled_at IS NOT NULL AS disabled
        FROM alerts.receivers WHERE group_name = ANY(#{groups}) ORDER BY group_name, position""";

  private static final RowMapper<byte[]> SEALED = row -> row.getBuffer("secret_sealed") == null ? null
    : row.getBuffer("secret_sealed").getBytes();
  private static final RowMapper<SecretReference> SECRET_FROM = row -> row.getValue("secret_from") == null ? null
    : SecretReference.fromJson((JsonObject) row.getValue("secret_from"), "secretFrom");
  private static final RowMapper<SealedSecret> SEALED_SECRET = row -> new SealedSecret(
    row.getString("receiver_name"),
    Receiver.Kind.valueOf(row.getString("kind")),
    row.getString("address"),
    SEALED.map(row),
    SECRET_FROM.map(row));
  private static final RowMapper<StoredSecret> STORED_SECRET = row -> new StoredSecret(SEALED.map(row),
    SECRET_FROM.map(row));
  private static final RowMapper<String> GROUP_NAME = row -> row.getString("group_name");
  private static final RowMapper<String> RULE_NAME = row -> row.getString("rule_name");
  /** A receiver as delivery sees it; its secret stays sealed in the table. */
  private static final RowMapper<Receiver> RECEIVER = row -> new Receiver(
    row.getString("group_name"),
    row.getString("receiver_name"),
    Receiver.Kind.valueOf(row.getString("kind")),
    row.getString("address"),
    row.getBoolean("use_common_alert_schema"),
    null,
    null,
    row.getBoolean("disabled"));
  /** One row of the group list: a group, with one of its receivers as the API shows it, or none. */
  private static final RowMapper<ListedReceiver> LISTED_RECEIVER = row -> new ListedReceiver(
    row.getString("group_name"),
    row.getString("kind"),
    row.getString("receiver_name") == null ? null : receiverJson(row));

  private final Pool pool;
  private final SecretSealer sealer;
  private final PlatformSecrets platform;
  private final SqlTemplate<Map<String, Object>, RowSet<ListedReceiver>> page;
  private final SqlTemplate<Map<String, Object>, RowSet<byte[]>> chatUrl;
  private final SqlTemplate<Map<String, Object>, RowSet<StoredSecret>> webhookSecret;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> disable;

  /** What a save did: created or replaced, and the secrets it generated, by receiver name. */
  public record Saved(boolean created, Map<String, String> generatedSecrets) {
  }

  /**
   * @param address for a chat receiver, the scheme and host its sealed URL is shown as
   * @param from    for a webhook receiver whose secret is read from the platform, where; sealed is then null
   */
  private record SealedSecret(String receiver, Receiver.Kind kind, String address, byte[] sealed,
                              SecretReference from) {
  }

  /** A webhook receiver's secret as stored: sealed, or where it is read. */
  private record StoredSecret(byte[] sealed, SecretReference from) {
  }

  private record ListedReceiver(String group, String kind, JsonObject receiver) {
  }

  /** @param platform reads the secrets of webhook receivers that give them by reference, at each delivery */
  public ActionGroupRepository(Pool pool, SecretSealer sealer, PlatformSecrets platform) {
    this.pool = pool;
    this.sealer = sealer;
    this.platform = platform;
    // group NULL lists every group.
    page = SqlTemplate.forQuery(pool, """
         SELECT g.group_name, r.receiver_name, r.kind, r.address, r.use_common_alert_schema, r.disabled_at,
                r.disabled_reason, r.secret_from
           FROM (SELECT group_name FROM alerts.action_groups
                  WHERE #{group}::text IS NULL OR group_name = #{group}
                  ORDER BY group_name LIMIT #{limit} OFFSET #{offset}) g
           LEFT JOIN alerts.receivers r ON r.group_name = g.group_name
          ORDER BY g.group_name, r.position""")
      .mapTo(LISTED_RECEIVER);
    chatUrl = SqlTemplate.forQuery(pool, """
        SELECT secret_sealed FROM alerts.receivers
         WHERE group_name = #{group} AND receiver_name = #{receiver} AND kind = #{kind}""")
      .mapTo(SEALED);
    webhookSecret = SqlTemplate.forQuery(pool, """
        SELECT secret_sealed, secret_from FROM alerts.receivers
         WHERE group_name = #{group} AND receiver_name = #{receiver} AND kind = 'webhook'""")
      .mapTo(STORED_SECRET);
    disable = SqlTemplate.forQuery(pool, """
        UPDATE alerts.receivers SET disabled_at = now(), disabled_reason = #{reason}
         WHERE group_name = #{group} AND receiver_name = #{receiver}""");
  }

  /**
   * Replaces the group's receivers. A webhook receiver saved without a secret or a secretFrom keeps the one it
   * had (a value or a reference); a new one gets a generated secret. Saving again re-enables receivers disabled
   * by a 410.
   */
  public Future<Saved> save(ActionGroup group) {
    Map<String, Object> named = Params.of("group", group.name());
    return pool.withTransaction(conn -> SqlTemplate.forQuery(conn, UPSERT_GROUP)
      .execute(named)
      .compose(created -> SqlTemplate.forQuery(conn, LOCK_WEBHOOK_SECRETS)
        .mapTo(SEALED_SECRET)
        .execute(named)
        .compose(existing -> {
          Map<String, SealedSecret> kept = new HashMap<>();
          existing.forEach(secret -> kept.put(secret.receiver(), secret));
          Map<String, String> generated = new LinkedHashMap<>();
          List<Map<String, Object>> rows = new ArrayList<>();
          Map<Receiver.Kind, Integer> indexInKind = new HashMap<>();
          for (int i = 0; i < group.receivers().size(); i++) {
            Receiver receiver = group.receivers().get(i);
            int index = indexInKind.merge(receiver.kind(), 1, Integer::sum) - 1;
            try {
              rows.add(row(receiver, i, kept, generated));
            } catch (InvalidInput e) {
              return Future.failedFuture(e.withTarget(receiver.kind().field() + "[" + index + "]."
                + e.target()));
            }
          }
          return SqlTemplate.forQuery(conn, DELETE_RECEIVERS)
            .execute(named)
            .compose(deleted -> insert(conn, rows))
            .map(done -> new Saved(created.iterator().next().getBoolean("created"), generated));
        })));
  }

  private static Future<?> insert(SqlConnection conn, List<Map<String, Object>> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return SqlTemplate.forQuery(conn, INSERT_RECEIVER)
      .executeBatch(rows);
  }

  /** @throws InvalidInput naming the receiver's own field, for a chat receiver with no URL given or kept */
  private Map<String, Object> row(Receiver receiver, int position, Map<String, SealedSecret> kept,
                                  Map<String, String> generated) {
    Buffer sealed = null;
    SecretReference from = null;
    String address = receiver.address();
    SealedSecret before = kept.get(receiver.name());
    if (before != null && before.kind() != receiver.kind()) {
      before = null;
    }
    if (receiver.kind().isChat()) {
      if (address != null) {
        sealed = Buffer.buffer(sealer.seal(address, receiver.secretContext()));
        address = shownAs(address);
      } else if (before != null) {
        sealed = Buffer.buffer(before.sealed());
        address = before.address();
      } else {
        throw new InvalidInput("webhookUrl", "webhookUrl is required for a new " + receiver.kind()
          + " receiver; it may be left out only to keep the URL stored for receiver '" + receiver.name() + "'.");
      }
    } else if (receiver.kind() == Receiver.Kind.webhook) {
      if (receiver.secret() != null) {
        sealed = Buffer.buffer(sealer.seal(receiver.secret(), receiver.secretContext()));
      } else if (receiver.secretFrom() != null) {
        from = receiver.secretFrom();
      } else if (before != null) {
        sealed = before.sealed() == null ? null : Buffer.buffer(before.sealed());
        from = before.from();
      } else {
        String secret = WebhookSecrets.generate();
        generated.put(receiver.name(), secret);
        sealed = Buffer.buffer(sealer.seal(secret, receiver.secretContext()));
      }
    }
    return Params.of(
      "group", receiver.groupName(),
      "receiver", receiver.name(),
      "kind", receiver.kind().name(),
      "address", address,
      "commonSchema", receiver.useCommonAlertSchema(),
      "secret", sealed,
      "secretFrom", from == null ? null : from.toJson(),
      "position", position);
  }

  /** What the API and the delivery log show of a chat URL: its scheme and host, never its token-bearing path. */
  public static String shownAs(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getRawAuthority() + "/…";
  }

  public Future<JsonObject> get(String name) {
    return list(name, 1, 0).map(groups -> {
      if (groups.isEmpty()) {
        throw notFound(name);
      }
      return groups.get(0);
    });
  }

  /** @param limit one more than the page size, so the caller learns whether more follow */
  public Future<List<JsonObject>> list(int limit, int offset) {
    return list(null, limit, offset);
  }

  private Future<List<JsonObject>> list(String name, int limit, int offset) {
    return page.execute(Params.of("group", name, "limit", limit, "offset", offset))
      .map(rows -> {
        Map<String, JsonObject> groups = new LinkedHashMap<>();
        for (ListedReceiver row : rows) {
          JsonObject group = groups.computeIfAbsent(row.group(), n -> {
            JsonObject created = new JsonObject().put("name", n);
            for (Receiver.Kind kind : Receiver.Kind.values()) {
              created.put(kind.field(), new JsonArray());
            }
            return created;
          });
          if (row.receiver() != null) {
            group.getJsonArray(Receiver.Kind.valueOf(row.kind()).field()).add(row.receiver());
          }
        }
        return List.copyOf(groups.values());
      });
  }

  private static JsonObject receiverJson(Row row) {
    JsonObject receiver = new JsonObject().put("name", row.getString("receiver_name"));
    if ("email".equals(row.getString("kind"))) {
      return receiver.put("emailAddress", row.getString("address"));
    }
    if (Receiver.Kind.valueOf(row.getString("kind")).isChat()) {
      return receiver
        .put("webhookUrl", row.getString("address"))
        .put("webhookUrlSet", true)
        .put("disabled", row.getValue("disabled_at") != null)
        .put("disabledReason", row.getString("disabled_reason"));
    }
    receiver
      .put("serviceUri", row.getString("address"))
      .put("useCommonAlertSchema", row.getBoolean("use_common_alert_schema"))
      .put("secretSet", true);
    if (row.getValue("secret_from") != null) {
      receiver.put("secretFrom", SECRET_FROM.map(row).toJson());
    }
    return receiver
      .put("disabled", row.getValue("disabled_at") != null)
      .put("disabledReason", row.getString("disabled_reason"));
  }

  /** Refused while a rule still names the group, so no rule is left pointing nowhere. */
  public Future<Void> delete(String name) {
    return delete(name, conn -> Future.succeededFuture(List.of()));
  }

  /**
   * As {@link #delete(String)}, and refused as well while {@code otherUsers} finds users outside this module
   * (for example execution notifications): it reads them in the delete's transaction, after the group is
   * locked, and answers descriptions such as "execution notifications [nightly]".
   */
  public Future<Void> delete(String name, Function<SqlConnection, Future<List<String>>> otherUsers) {
    Map<String, Object> named = Params.of("group", name);
    return pool.withTransaction(conn -> SqlTemplate.forQuery(conn, LOCK_GROUP)
      .execute(named)
      .compose(locked -> SqlTemplate.forQuery(conn, RULES_USING)
        .mapTo(RULE_NAME)
        .execute(named))
      .compose(rules -> otherUsers.apply(conn).map(others -> {
        List<String> users = new ArrayList<>();
        if (rules.size() > 0) {
          users.add("alert rules " + Rows.list(rules));
        }
        users.addAll(others);
        return users;
      }))
      .compose(users -> {
        if (!users.isEmpty()) {
          return Future.failedFuture(new Conflict("name", "Action group '" + name
            + "' is used by " + String.join(" and ", users) + "; remove it from them first."));
        }
        return SqlTemplate.forQuery(conn, DELETE_GROUP)
          .execute(named)
          .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound(name)) : Future.succeededFuture());
      }));
  }

  /**
   * Which of these groups exist, locked against deletion until {@code conn}'s transaction ends: for a save
   * elsewhere that stores their names.
   */
  public Future<List<String>> shareExisting(SqlConnection conn, List<String> names) {
    if (names.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return SqlTemplate.forQuery(conn, SHARE_GROUPS)
      .mapTo(GROUP_NAME)
      .execute(Params.of("names", names.toArray(String[]::new)))
      .map(Rows::list);
  }

  /** The receivers of these groups, in order, as a transition about to notify them sees them. */
  public Future<List<Receiver>> receivers(SqlConnection conn, List<String> groups) {
    if (groups.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return SqlTemplate.forQuery(conn, RECEIVERS)
      .mapTo(RECEIVER)
      .execute(Params.of("groups", groups.toArray(String[]::new)))
      .map(Rows::list);
  }

  /**
   * The secret of a webhook receiver, opened to sign one delivery, or read from the platform where its
   * secretFrom says. A reference that is missing, empty or holds no webhook secret fails with a message that
   * names it and never the value.
   */
  public Future<String> webhookSecret(String group, String receiver) {
    return webhookSecret.execute(Params.of("group", group, "receiver", receiver))
      .compose(rows -> Rows.single(rows, () -> gone(group, receiver, Receiver.Kind.webhook)))
      .compose(stored -> stored.from() == null
        ? Future.succeededFuture(sealer.open(stored.sealed(), Receiver.secretContext(group, receiver)))
        : read(stored.from(), group, receiver));
  }

  private Future<String> read(SecretReference from, String group, String receiver) {
    String owner = "webhook receiver '" + receiver + "' of action group '" + group + "'";
    return platform.read(from, "secretFrom", owner)
      .compose(secret -> {
        try {
          return Future.succeededFuture(WebhookSecrets.validate(secret, "secretFrom"));
        } catch (InvalidInput e) {
          return Future.failedFuture(new InvalidInput("SecretUnavailable", "secretFrom", "The secretFrom of " + owner
            + " is read from " + from.describe() + ", which holds no webhook secret: " + e.getMessage() + "."));
        }
      });
  }

  /** The incoming-webhook URL of a Slack or Teams receiver, opened for one delivery. */
  public Future<String> chatUrl(String group, String receiver, Receiver.Kind kind) {
    return chatUrl.execute(Params.of("group", group, "receiver", receiver, "kind", kind.name()))
      .compose(rows -> Rows.single(rows, () -> gone(group, receiver, kind)))
      .map(sealed -> sealer.open(sealed, Receiver.secretContext(group, receiver)));
  }

  private static NotFound gone(String group, String receiver, Receiver.Kind kind) {
    return new NotFound("receiver", "The " + kind + " receiver '" + receiver + "' of action group '" + group
      + "' no longer exists.");
  }

  /** A receiver that answered 410 Gone gets nothing more until its group is saved again. */
  public Future<Void> disable(String group, String receiver, String reason) {
    return disable.execute(Params.of("group", group, "receiver", receiver, "reason", reason))
      .mapEmpty();
  }

  private static NotFound notFound(String name) {
    return new NotFound("name", "Action group '" + name + "' does not exist.");
  }
}
