package io.fleetjobs.server.security;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Remembers the fingerprint of the key that first sealed secrets in this job database, and refuses to
 * start with another key, which could open none of them.
 */
public final class MasterKeyCheck {
  private static final String SETTING = "master_key_fingerprint";
  private final Pool pool;

  public MasterKeyCheck(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> verify(MasterKey key) {
    String fingerprint = key.fingerprint();
    return pool.preparedQuery("""
        INSERT INTO jobs_internal.agent_settings (setting_name, setting_value) VALUES ($1, $2)
        ON CONFLICT (setting_name) DO NOTHING""")
      .execute(Tuple.of(SETTING, fingerprint))
      .compose(inserted -> pool.preparedQuery(
          "SELECT setting_value FROM jobs_internal.agent_settings WHERE setting_name = $1")
        .execute(Tuple.of(SETTING)))
      .compose(rows -> fingerprint.equals(rows.iterator().next().getString("setting_value"))
        ? Future.<Void>succeededFuture()
        : Future.failedFuture(new IllegalStateException("This master key is not the one that sealed the secrets "
          + "in this job database; start the agent with the original FLEETJOBS_MASTER_KEY.")));
  }
}
