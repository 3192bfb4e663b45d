package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.PooledConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One small JDBC connection pool per target server, database, login and certificate setting (the key),
 * closed once idle for a while. Each use is one task on the target worker pool, from lease to return,
 * opening the connection included: no JDBC call runs on an event loop, and two targets never wait on each
 * other's statements.
 *
 * <p>The pool is our own. vertx-jdbc-client's public API hides the java.sql.Connection that scripts need
 * (Statement.cancel, warnings, every result of a batch). HikariCP would work, but each of its pools runs a
 * housekeeping thread and opens connections on threads of its own, and there is a pool per target
 * database, while every use here already holds a worker thread that can open its connection itself. Above
 * all, {@link KeyPool#lease} is the one step every use passes through: the pool keeps {@link PooledConnection}s
 * and each lease takes a fresh handle from one. mssql-jdbc flags the session of every such handle for reset,
 * so the next request carries TDS's reset bit (sp_reset_connection): temp tables, SET options, EXECUTE AS,
 * CONTEXT_INFO and an open transaction never reach the next target or step. The reset rides on that request
 * and costs no round trip of its own; a plain connection handed out again would carry all of it over.
 */
public final class JdbcPools {
  private static final Logger LOG = LoggerFactory.getLogger(JdbcPools.class);
  private static final int VALIDATION_SECONDS = 5;

  /** @param idlePool how long an unused pool stays open; @param idleConnection the same for a connection */
  public record Settings(Duration idlePool, Duration idleConnection, Duration acquireTimeout) {
    public static final Settings DEFAULT = new Settings(Duration.ofMinutes(5), Duration.ofMinutes(1),
      Duration.ofSeconds(30));
  }

  /** Blocking work on a connection that is the caller's alone until it returns. */
  @FunctionalInterface
  public interface SqlWork<T> {
    T apply(Connection connection) throws Exception;
  }

  private final Vertx vertx;
  private final TargetWorkerPool workers;
  private final Capacity capacity;
  private final Settings settings;
  private final Map<String, KeyPool> pools = new HashMap<>();
  private final AtomicBoolean sweeping = new AtomicBoolean();
  private final long evictionTimer;
  private boolean closed;

  public JdbcPools(Vertx vertx, TargetWorkerPool workers, Capacity capacity, Settings settings) {
    this.vertx = vertx;
    this.workers = workers;
    this.capacity = capacity;
    this.settings = settings;
    long every = Math.max(1_000, Math.min(settings.idlePool().toMillis(), settings.idleConnection().toMillis()) / 2);
    this.evictionTimer = vertx.setPeriodic(every, id -> sweep());
  }

  /**
   * @param key names the server, database and authentication; equal keys share a pool
   * @param endpoint asked each time a physical connection opens, so a token is current when it is used
   */
  public <T> Future<T> withConnection(String key, Supplier<JdbcEndpoint> endpoint, SqlWork<T> work) {
    return workers.executor().executeBlocking(() -> {
      KeyPool pool = enter(key, endpoint);
      try {
        return use(pool, work);
      } finally {
        leave(key, pool);
      }
    }, false);
  }

  private <T> T use(KeyPool pool, SqlWork<T> work) throws Exception {
    // A tier raised at run time lets pools opened before it grow too.
    PooledConnection pooled = pool.lease(capacity.jdbcPoolSize(), settings.acquireTimeout());
    Connection connection;
    try {
      connection = pooled.getConnection();
    } catch (SQLException | RuntimeException e) {
      pool.giveBack(pooled, true);
      throw e;
    }
    boolean broken = false;
    try {
      return work.apply(connection);
    } catch (Exception e) {
      broken = !usable(connection);
      throw e;
    } finally {
      broken = broken || closed(connection);
      closeQuietly(connection);
      pool.giveBack(pooled, broken);
    }
  }

  /**
   * A connection the server killed, a failover dropped or a cancel aborted must not reach the next target
   * and fail it with a misleading error. Only after a failure is the connection asked (one round trip).
   */
  private static boolean usable(Connection connection) {
    try {
      return !connection.isClosed() && connection.isValid(VALIDATION_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  private static boolean closed(Connection connection) {
    try {
      return connection.isClosed();
    } catch (SQLException e) {
      return true;
    }
  }

  /** How many pools are open now. */
  public synchronized int size() {
    return pools.size();
  }

  private synchronized KeyPool enter(String key, Supplier<JdbcEndpoint> endpoint) {
    if (closed) {
      throw new IllegalStateException("The JDBC pools are closed: the agent is stopping.");
    }
    KeyPool pool = pools.computeIfAbsent(key, k -> new KeyPool(endpoint));
    pool.users++;
    pool.lastUsedNanos = System.nanoTime();
    return pool;
  }

  /** A retired pool leaves the map at once, so new work gets a fresh pool while its last users finish. */
  private synchronized void leave(String key, KeyPool pool) {
    pool.users--;
    pool.lastUsedNanos = System.nanoTime();
    if (pool.retired()) {
      pools.remove(key, pool);
    }
  }

  /** Closing connections blocks, so the timer only hands the sweep to a worker, and never two at once. */
  private void sweep() {
    if (!sweeping.compareAndSet(false, true)) {
      return;
    }
    workers.executor().executeBlocking(() -> {
      closeIdle();
      return null;
    }, false)
      .onFailure(e -> LOG.warn("Could not close idle JDBC connections: {}", e.getMessage()))
      .onComplete(done -> sweeping.set(false));
  }

  private void closeIdle() {
    List<KeyPool> unused = new ArrayList<>();
    List<KeyPool> inUse;
    synchronized (this) {
      long cutoff = System.nanoTime() - settings.idlePool().toNanos();
      pools.values().removeIf(pool -> {
        boolean idle = pool.users == 0 && pool.lastUsedNanos - cutoff < 0;
        if (idle) {
          unused.add(pool);
        }
        return idle;
      });
      inUse = List.copyOf(pools.values());
    }
    unused.forEach(KeyPool::retire);
    long cutoff = System.nanoTime() - settings.idleConnection().toNanos();
    inUse.forEach(pool -> pool.closeIdleSince(cutoff));
  }

  /** Closes every idle connection now, and each one in use when its work returns it. */
  public Future<Void> close() {
    vertx.cancelTimer(evictionTimer);
    List<KeyPool> all;
    synchronized (this) {
      closed = true;
      all = List.copyOf(pools.values());
      pools.clear();
    }
    return workers.executor().executeBlocking(() -> {
      all.forEach(KeyPool::retire);
      return null;
    }, false);
  }

  /** A handle's close gives it back to its pooled connection; closePhysical ends the session. */
  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Could not close a JDBC connection cleanly: {}", e.getMessage());
    }
  }

  private static void closePhysical(PooledConnection connection) {
    try {
      connection.close();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Could not close a JDBC connection cleanly: {}", e.getMessage());
    }
  }

  private record Idle(PooledConnection connection, long sinceNanos) {
  }

  /**
   * The connections of one key. Its monitor guards the connections; {@code users} and {@code lastUsedNanos}
   * belong to the map's. No blocking JDBC call is made holding either.
   */
  private static final class KeyPool {
    private final Supplier<JdbcEndpoint> endpoint;
    /** Most recently returned first, so the least used ones age out. */
    private final Deque<Idle> idle = new ArrayDeque<>();
    private int open;
    private boolean retired;
    int users;
    long lastUsedNanos = System.nanoTime();

    KeyPool(Supplier<JdbcEndpoint> endpoint) {
      this.endpoint = endpoint;
    }

    /**
     * Every use gets its connection here: an idle one, else a new one while fewer than {@code maxSize} are
     * open, else the first one returned within {@code timeout}.
     */
    PooledConnection lease(int maxSize, Duration timeout) throws SQLException, InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      synchronized (this) {
        while (idle.isEmpty() && open >= maxSize) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new SQLTransientConnectionException("All " + open + " connections to this database stayed in "
              + "use for " + timeout.toSeconds() + " s.");
          }
          TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        Idle reused = idle.pollFirst();
        if (reused != null) {
          return reused.connection();
        }
        open++;
      }
      try {
        return endpoint.get().opener().open();
      } catch (SQLException | RuntimeException e) {
        synchronized (this) {
          open--;
          notifyAll();
        }
        throw e;
      }
    }

    /**
     * A broken connection retires its pool: its idle siblings went through the same failover or restart, so
     * they close too, and so does every connection still in use when it comes back.
     */
    void giveBack(PooledConnection connection, boolean broken) {
      List<PooledConnection> closing = new ArrayList<>();
      synchronized (this) {
        if (broken) {
          retired = true;
        }
        if (retired) {
          drainIdle(closing, Long.MAX_VALUE);
          open--;
          closing.add(connection);
        } else {
          idle.addFirst(new Idle(connection, System.nanoTime()));
        }
        notifyAll();
      }
      closing.forEach(JdbcPools::closePhysical);
    }

    synchronized boolean retired() {
      return retired;
    }

    void retire() {
      List<PooledConnection> closing = new ArrayList<>();
      synchronized (this) {
        retired = true;
        drainIdle(closing, Long.MAX_VALUE);
      }
      closing.forEach(JdbcPools::closePhysical);
    }

    void closeIdleSince(long cutoffNanos) {
      List<PooledConnection> closing = new ArrayList<>();
      synchronized (this) {
        drainIdle(closing, cutoffNanos);
      }
      closing.forEach(JdbcPools::closePhysical);
    }

    /** Takes the idle connections returned before the cutoff (all of them for Long.MAX_VALUE). */
    private void drainIdle(List<PooledConnection> into, long cutoffNanos) {
      while (!idle.isEmpty() && (cutoffNanos == Long.MAX_VALUE || idle.peekLast().sinceNanos() - cutoffNanos < 0)) {
        into.add(idle.pollLast().connection());
        open--;
      }
    }
  }
}
