package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.server.config.Tier;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * The agent's tier lives in the job database, so every agent sharing it enforces the same cap and a
 * change through the API reaches them all. {@link #current()} is this agent's latest reading.
 */
public final class TierSetting {
  private static final String SETTING = "tier";
  private final Pool pool;
  private volatile Tier current = Tier.JA100;

  public TierSetting(Pool pool) {
    this.pool = pool;
  }

  public Tier current() {
    return current;
  }

  public Future<Tier> refresh() {
    return pool.preparedQuery("SELECT setting_value FROM jobs_internal.agent_settings WHERE setting_name = $1")
      .execute(Tuple.of(SETTING))
      .map(rows -> rows.size() == 0 ? Tier.JA100 : Tier.parse(rows.iterator().next().getString("setting_value")))
      .onSuccess(tier -> current = tier);
  }

  public Future<Tier> save(Tier tier) {
    return pool.preparedQuery("""
        INSERT INTO jobs_internal.agent_settings (setting_name, setting_value) VALUES ($1, $2)
        ON CONFLICT (setting_name) DO UPDATE SET setting_value = excluded.setting_value""")
      .execute(Tuple.of(SETTING, tier.name()))
      .map(done -> {
        current = tier;
        return tier;
      });
  }
}
