package io.fleetjobs.server.capacity;

import io.fleetjobs.server.config.Tier;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;

/**
 * The tier cap, and everything sized from it: how many targets may run at once (the number the claim is
 * given), the threads of the target worker pool and the connections of a JDBC pool. Nothing else computes
 * these numbers.
 *
 * <p>The tier lives in the job database, so every agent sharing it enforces the same cap and a change
 * through the API reaches them all; {@link #tier()} is this agent's latest reading.
 */
public final class Capacity {
  private static final String SETTING = "tier";
  private static final Tier UNSET = Tier.JA100;
  private static final Tier TOP = Arrays.stream(Tier.values())
    .max(Comparator.comparingInt(Tier::maxConcurrentTargets))
    .orElseThrow();
  /**
   * While every slot's statement holds a thread, the executors still need threads to time out and cancel
   * those statements, and enumeration and output writes, which the cap does not count, need theirs.
   */
  private static final int SPARE_WORKER_THREADS = 16;

  private final SqlTemplate<Map<String, Object>, RowSet<Tier>> read;
  private final SqlTemplate<Map<String, Object>, SqlResult<Void>> write;
  private volatile Tier tier;
  /** This agent's own cap (FLEETJOBS_AGENT_MAX_TARGETS): an agent on a small machine runs no more. */
  private volatile int agentMax = Integer.MAX_VALUE;
  /** This agent's share of the capacity, from its last heartbeat; the whole capacity until one says otherwise. */
  private volatile int share = Integer.MAX_VALUE;

  private Capacity(Pool pool, Tier tier) {
    this.tier = tier;
    if (pool == null) {
      this.read = null;
      this.write = null;
      return;
    }
    this.read = SqlTemplate.forQuery(pool, """
        SELECT setting_value FROM jobs_internal.agent_settings WHERE setting_name = #{name}""")
      .mapTo(row -> Tier.parse(row.getString("setting_value")));
    this.write = SqlTemplate.forUpdate(pool, """
        INSERT INTO jobs_internal.agent_settings (setting_name, setting_value) VALUES (#{name}, #{value})
        ON CONFLICT (setting_name) DO UPDATE SET setting_value = excluded.setting_value""");
  }

  /** The tier stored in the job database behind {@code pool}; JA100 until {@link #refresh()} reads it. */
  public Capacity(Pool pool) {
    this(pool, UNSET);
  }

  /** A tier no job database keeps: for a driver built outside an agent. {@link #save} changes it in memory. */
  public static Capacity inMemory(Tier tier) {
    return new Capacity(null, tier);
  }

  /** This agent's latest reading. */
  public Tier tier() {
    return tier;
  }

  /** Reads the stored tier; a job database that has none is at JA100. */
  public Future<Tier> refresh() {
    if (read == null) {
      return Future.succeededFuture(tier);
    }
    return read.execute(Map.of("name", SETTING))
      .map(rows -> rows.size() == 0 ? UNSET : rows.iterator().next())
      .onSuccess(stored -> tier = stored);
  }

  public Future<Tier> save(Tier requested) {
    Future<?> written = write == null
      ? Future.succeededFuture()
      : write.execute(Map.of("name", SETTING, "value", requested.name()));
    return written.map(done -> {
      tier = requested;
      return requested;
    });
  }

  /**
   * How many targets may run at once across every agent sharing the job database: what the claim is given,
   * and what it enforces inside its transaction.
   */
  public int concurrentTargets() {
    return concurrentTargets(tier);
  }

  public static int concurrentTargets(Tier tier) {
    return tier.maxConcurrentTargets();
  }

  /**
   * How many targets this agent may run at once: its share of {@link #concurrentTargets()} among the live agents
   * (the whole of it when it is alone), never more than its own cap. The claim enforces it with the cap.
   */
  public int agentShare() {
    return Math.min(Math.min(share, agentMax), concurrentTargets());
  }

  /** Sets the share a heartbeat computed. */
  public void share(int heartbeatShare) {
    share = heartbeatShare;
  }

  /** This agent's own cap, null for none. */
  public Capacity withAgentMax(Integer maxTargets) {
    agentMax = maxTargets == null ? Integer.MAX_VALUE : maxTargets;
    return this;
  }

  public int agentMax() {
    return agentMax;
  }

  /**
   * Threads of the target worker pool, which runs the executor verticles and every blocking JDBC call. A JDBC
   * statement holds a thread for as long as it runs, so the pool has one per target the top tier lets run at
   * once, plus the spare ones, whatever the tier is now: the tier can change at run time, and Vert.x's public
   * API cannot resize a worker pool. The claim, not the thread count, bounds how many statements run.
   */
  public int workerThreads() {
    return concurrentTargets(TOP) + SPARE_WORKER_THREADS;
  }

  /** Connections one JDBC pool (one target database, login and certificate setting) may hold open: a tier's worth. */
  public int jdbcPoolSize() {
    return concurrentTargets();
  }
}
