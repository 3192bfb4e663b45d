package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.targets.TargetWorkerPool;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.PromiseInternal;
import io.vertx.core.internal.VertxInternal;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * One vertx-jdbc-client pool per target server, database and authentication, closed once idle for a
 * while. Every blocking call runs on the named target worker pool, never on an event loop: each use gets
 * a context of its own on that pool, because a JDBC connection runs its calls in order on the context
 * that opened it, and two targets must never wait on each other's statements.
 */
public final class JdbcPools implements AutoCloseable {
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

  private static final class Entry {
    final Pool pool;
    /** A connection of this pool was found closed or unusable after its work; see {@link #release}. */
    volatile boolean broken;
    int inUse;
    long lastUsedNanos = System.nanoTime();

    Entry(Pool pool) {
      this.pool = pool;
    }
  }

  private final VertxInternal vertx;
  private final TargetWorkerPool workers;
  private final Capacity capacity;
  private final Settings settings;
  private final Map<String, Entry> pools = new HashMap<>();
  private final long evictionTimer;

  public JdbcPools(Vertx vertx, TargetWorkerPool workers, Capacity capacity, Settings settings) {
    this.vertx = (VertxInternal) vertx;
    this.workers = workers;
    this.capacity = capacity;
    this.settings = settings;
    long every = Math.max(1_000, settings.idlePool().toMillis() / 2);
    this.evictionTimer = vertx.setPeriodic(every, id -> closeIdle());
  }

  /**
   * @param key names the server, database and authentication; equal keys share a pool
   * @param endpoint asked each time a physical connection opens, so a token is current when it is used
   */
  public <T> Future<T> withConnection(String key, Supplier<JdbcEndpoint> endpoint, SqlWork<T> work) {
    ContextInternal caller = vertx.getOrCreateContext();
    PromiseInternal<T> result = caller.promise();
    ContextInternal context = vertx.contextBuilder()
      .withThreadingModel(ThreadingModel.EVENT_LOOP)
      .withWorkerPool(workers.pool())
      .build();
    context.runOnContext(started -> {
      Entry entry;
      try {
        entry = acquire(key, endpoint);
      } catch (RuntimeException e) {
        result.fail(e);
        return;
      }
      entry.pool.getConnection()
        .compose(connection -> context.<T>executeBlocking(() -> {
          Connection jdbc = RawJdbc.of(connection);
          try {
            return work.apply(jdbc);
          } catch (Exception e) {
            if (!usable(jdbc)) {
              entry.broken = true;
            }
            throw e;
          } finally {
            if (jdbc.isClosed()) {
              entry.broken = true;
            }
          }
        }, false)
          .eventually(connection::close))
        .onComplete(done -> {
          release(key, entry);
          result.handle(done);
        });
    });
    return result.future();
  }

  /**
   * vertx-jdbc-client 5.0 never tests a connection it takes back, so one the server killed, a failover
   * dropped or a cancel aborted would be handed to the next target, and fail it with a misleading error.
   * Only after a failure is the connection asked (one round trip), on the worker thread that used it.
   */
  private static boolean usable(Connection jdbc) {
    try {
      return !jdbc.isClosed() && jdbc.isValid(VALIDATION_SECONDS);
    } catch (SQLException e) {
      return false;
    }
  }

  /** How many pools are open now. */
  public synchronized int size() {
    return pools.size();
  }

  private synchronized Entry acquire(String key, Supplier<JdbcEndpoint> endpoint) {
    Entry entry = pools.computeIfAbsent(key, k -> new Entry(JDBCPool.pool(vertx, new EndpointDataSource(endpoint),
      new PoolOptions()
        .setMaxSize(capacity.jdbcPoolSize())
        .setIdleTimeout((int) settings.idleConnection().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
        .setConnectionTimeout((int) settings.acquireTimeout().toMillis())
        .setConnectionTimeoutUnit(TimeUnit.MILLISECONDS))));
    entry.inUse++;
    entry.lastUsedNanos = System.nanoTime();
    return entry;
  }

  /**
   * A pool with a broken connection is retired: new work gets a fresh pool, and this one closes once its
   * last user is done, since the client cannot drop a single connection from it.
   */
  private void release(String key, Entry entry) {
    boolean retire;
    synchronized (this) {
      entry.inUse--;
      entry.lastUsedNanos = System.nanoTime();
      if (entry.broken) {
        pools.remove(key, entry);
      }
      retire = entry.broken && entry.inUse == 0;
    }
    if (retire) {
      entry.pool.close();
    }
  }

  private void closeIdle() {
    List<Pool> idle = new ArrayList<>();
    synchronized (this) {
      long cutoff = System.nanoTime() - settings.idlePool().toNanos();
      pools.values().removeIf(entry -> {
        boolean unused = entry.inUse == 0 && entry.lastUsedNanos - cutoff < 0;
        if (unused) {
          idle.add(entry.pool);
        }
        return unused;
      });
    }
    idle.forEach(Pool::close);
  }

  @Override
  public void close() {
    vertx.cancelTimer(evictionTimer);
    List<Pool> all;
    synchronized (this) {
      all = pools.values().stream().map(entry -> entry.pool).toList();
      pools.clear();
    }
    all.forEach(Pool::close);
  }

  /** Opens a physical connection with the endpoint as it is now; the pool is vertx-jdbc-client's. */
  private record EndpointDataSource(Supplier<JdbcEndpoint> endpoint) implements DataSource {
    @Override
    public Connection getConnection() throws SQLException {
      JdbcEndpoint now = endpoint.get();
      return DriverManager.getConnection(now.url(), now.properties());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
      throw new SQLFeatureNotSupportedException("The endpoint carries the login.");
    }

    @Override
    public PrintWriter getLogWriter() {
      return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
      return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
      throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
      throw new SQLException("Not a wrapper.");
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
      return false;
    }
  }
}
