package io.fleetjobs.alerts.store;

import io.fleetjobs.alerts.groups.ActionGroup;
import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.notify.WebhookSecrets;
import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All SQL on action groups. Webhook secrets are sealed before they are stored and leave only to sign a
 * delivery, except a generated one, which the save that made it shows once.
 */
public final class ActionGroupRepository {
  private final Pool pool;
  private final SecretSealer sealer;

  /** What a save did: created or replaced, and the secrets it generated, by receiver name. */
  public record Saved(boolean created, Map<String, String> generatedSecrets) {
  }

  public ActionGroupRepository(Pool pool, SecretSealer sealer) {
    this.pool = pool;
    this.sealer = sealer;
  }

  /**
   * Replaces the group's receivers. A webhook receiver saved without a secret keeps the one it had;
   * a new one gets a generated secret. Saving again re-enables receivers disabled by a 410.
   */
  public Future<Saved> save(ActionGroup group) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          INSERT INTO alerts.action_groups (group_name) VALUES ($1)
          ON CONFLICT (group_name) DO UPDATE SET updated_at = now()
          RETURNING (xmax = 0) AS created""")
      .execute(Tuple.of(group.name()))
      .compose(created -> conn.preparedQuery("""
            SELECT receiver_name, secret_sealed FROM alerts.receivers
             WHERE group_name = $1 AND kind = 'webhook' FOR UPDATE""")
        .execute(Tuple.of(group.name()))
        .compose(existing -> {
          Map<String, byte[]> kept = new HashMap<>();
          existing.forEach(row -> kept.put(row.getString("receiver_name"), row.getBuffer("secret_sealed").getBytes()));
          Map<String, String> generated = new LinkedHashMap<>();
          List<Tuple> rows = new ArrayList<>();
          for (int i = 0; i < group.receivers().size(); i++) {
            rows.add(row(group.receivers().get(i), i, kept, generated));
          }
          return conn.preparedQuery("DELETE FROM alerts.receivers WHERE group_name = $1")
            .execute(Tuple.of(group.name()))
            .compose(deleted -> insert(conn, rows))
            .map(done -> new Saved(created.iterator().next().getBoolean("created"), generated));
        })));
  }

  private static Future<?> insert(SqlClient conn, List<Tuple> rows) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    return conn.preparedQuery("""
        INSERT INTO alerts.receivers (group_name, receiver_name, kind, address, use_common_alert_schema,
                                      secret_sealed, position)
        VALUES ($1, $2, $3, $4, $5, $6, $7)""")
      .executeBatch(rows);
  }

  private Tuple row(Receiver receiver, int position, Map<String, byte[]> kept, Map<String, String> generated) {
    Buffer sealed = null;
    if (receiver.kind() == Receiver.Kind.webhook) {
      if (receiver.secret() != null) {
        sealed = Buffer.buffer(sealer.seal(receiver.secret(), receiver.secretContext()));
      } else if (kept.containsKey(receiver.name())) {
        sealed = Buffer.buffer(kept.get(receiver.name()));
      } else {
        String secret = WebhookSecrets.generate();
        generated.put(receiver.name(), secret);
        sealed = Buffer.buffer(sealer.seal(secret, receiver.secretContext()));
      }
    }
    return Tuple.of(receiver.groupName(), receiver.name(), receiver.kind().name(), receiver.address(),
      receiver.useCommonAlertSchema(), sealed, position);
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
    return pool.preparedQuery("""
         SELECT g.group_name, r.receiver_name, r.kind, r.address, r.use_common_alert_schema, r.disabled_at,
                r.disabled_reason
           FROM (SELECT group_name FROM alerts.action_groups
                  WHERE $1::text IS NULL OR group_name = $1
                  ORDER BY group_name LIMIT $2 OFFSET $3) g
           LEFT JOIN alerts.receivers r ON r.group_name = g.group_name
          ORDER BY g.group_name, r.position""")
      .execute(Tuple.of(name, limit, offset))
      .map(rows -> {
        Map<String, JsonObject> groups = new LinkedHashMap<>();
        for (Row row : rows) {
          JsonObject group = groups.computeIfAbsent(row.getString("group_name"), n -> new JsonObject()
            .put("name", n)
            .put("emailReceivers", new JsonArray())
            .put("webhookReceivers", new JsonArray()));
          if (row.getString("receiver_name") != null) {
            addReceiver(group, row);
          }
        }
        return List.copyOf(groups.values());
      });
  }

  private static void addReceiver(JsonObject group, Row row) {
    JsonObject receiver = new JsonObject().put("name", row.getString("receiver_name"));
    if ("email".equals(row.getString("kind"))) {
      group.getJsonArray("emailReceivers").add(receiver.put("emailAddress", row.getString("address")));
      return;
    }
    receiver
      .put("serviceUri", row.getString("address"))
      .put("useCommonAlertSchema", row.getBoolean("use_common_alert_schema"))
      .put("secretSet", true)
      .put("disabled", row.getValue("disabled_at") != null)
      .put("disabledReason", row.getString("disabled_reason"));
    group.getJsonArray("webhookReceivers").add(receiver);
  }

  /** Refused while a rule still names the group, so no rule is left pointing nowhere. */
  public Future<Void> delete(String name) {
    return pool.withTransaction(conn -> conn.preparedQuery("""
          SELECT rule_name FROM alerts.alert_rules WHERE definition -> 'actions' ? $1 ORDER BY rule_name""")
      .execute(Tuple.of(name))
      .compose(rules -> {
        if (rules.size() > 0) {
          List<String> names = new ArrayList<>();
          rules.forEach(row -> names.add(row.getString("rule_name")));
          return Future.failedFuture(new Conflict("name", "Action group '" + name
            + "' is used by alert rules " + names + "; remove it from them first."));
        }
        return conn.preparedQuery("DELETE FROM alerts.action_groups WHERE group_name = $1").execute(Tuple.of(name))
          .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound(name)) : Future.succeededFuture());
      }));
  }

  /** The receivers of these groups, in order, as a transition about to notify them sees them. */
  public static Future<List<Receiver>> receivers(SqlClient conn, List<String> groups) {
    if (groups.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return conn.preparedQuery("""
        SELECT group_name, receiver_name, kind, address, use_common_alert_schema, disabled_at IS NOT NULL AS disabled
          FROM alerts.receivers WHERE group_name = ANY($1) ORDER BY group_name, position""")
      .execute(Tuple.of((Object) groups.toArray(String[]::new)))
      .map(rows -> {
        List<Receiver> receivers = new ArrayList<>();
        rows.forEach(row -> receivers.add(new Receiver(
          row.getString("group_name"),
          row.getString("receiver_name"),
          Receiver.Kind.valueOf(row.getString("kind")),
          row.getString("address"),
          row.getBoolean("use_common_alert_schema"),
          null,
          row.getBoolean("disabled"))));
        return receivers;
      });
  }

  /** The secret of a webhook receiver, opened to sign one delivery. */
  public Future<String> webhookSecret(String group, String receiver) {
    return pool.preparedQuery("""
        SELECT secret_sealed FROM alerts.receivers WHERE group_name = $1 AND receiver_name = $2 AND kind = 'webhook'""")
      .execute(Tuple.of(group, receiver))
      .map(rows -> {
        if (rows.size() == 0) {
          throw new NotFound("receiver", "Webhook receiver '" + receiver + "' of action group '" + group
            + "' no longer exists.");
        }
        byte[] sealed = rows.iterator().next().getBuffer("secret_sealed").getBytes();
        return sealer.open(sealed, Receiver.secretContext(group, receiver));
      });
  }

  /** A receiver that answered 410 Gone gets nothing more until its group is saved again. */
  public Future<Void> disable(String group, String receiver, String reason) {
    return pool.preparedQuery("""
        UPDATE alerts.receivers SET disabled_at = now(), disabled_reason = $3
         WHERE group_name = $1 AND receiver_name = $2""")
      .execute(Tuple.of(group, receiver, reason))
      .mapEmpty();
  }

  private static NotFound notFound(String name) {
    return new NotFound("name", "Action group '" + name + "' does not exist.");
  }
}
