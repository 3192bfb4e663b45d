package io.fleetjobs.server.targets;

import io.fleetjobs.server.config.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.internal.WorkerExecutorInternal;
import io.vertx.core.internal.WorkerPool;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The named worker pool that target work runs on: the executor verticles, and every blocking JDBC call.
 * Its threads follow the tier, also when the tier changes at run time, because a JDBC statement holds a
 * thread for as long as it runs.
 */
public final class TargetWorkerPool implements AutoCloseable {
  public static final String NAME = "fleetjobs-target-workers";
  /** A statement may run for the longest step timeout (12 hours by default) without Vert.x calling it blocked. */
  public static final long MAX_EXECUTE_HOURS = 13;

  private final WorkerExecutor executor;
  private volatile int threads;

  private TargetWorkerPool(WorkerExecutor executor, int threads) {
    this.executor = executor;
    this.threads = threads;
  }

  /** Shares the pool of that name: the executor verticles' deployment and this are the same threads. */
  public static TargetWorkerPool open(Vertx vertx, Tier tier) {
    return new TargetWorkerPool(vertx.createSharedWorkerExecutor(NAME, tier.workerThreads(), MAX_EXECUTE_HOURS,
      TimeUnit.HOURS), tier.workerThreads());
  }

  public WorkerPool pool() {
    return ((WorkerExecutorInternal) executor).pool();
  }

  public WorkerExecutor executor() {
    return executor;
  }

  public int threads() {
    return threads;
  }

  /** Grows or shrinks the pool to the tier's thread count; threads busy now finish their work first. */
  public void follow(Tier tier) {
    int wanted = tier.workerThreads();
    if (wanted == threads) {
      return;
    }
    synchronized (this) {
      ExecutorService service = pool().executor();
      if (wanted != threads && service instanceof ThreadPoolExecutor pool) {
        if (wanted > pool.getMaximumPoolSize()) {
          pool.setMaximumPoolSize(wanted);
          pool.setCorePoolSize(wanted);
        } else {
          pool.setCorePoolSize(wanted);
          pool.setMaximumPoolSize(wanted);
        }
        threads = wanted;
      }
    }
  }

  @Override
  public void close() {
    executor.close();
  }
}
