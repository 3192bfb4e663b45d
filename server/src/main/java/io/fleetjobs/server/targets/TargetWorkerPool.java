package io.fleetjobs.server.targets;

import io.fleetjobs.server.capacity.Capacity;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The named worker pool that target work runs on: the executor verticles, and every blocking JDBC call.
 * Vert.x makes a named pool once, at the size its first user asks for, so the executors' deployment and the
 * JDBC path both take the size from here. It is sized once, for the top tier (see
 * {@link Capacity#workerThreads()}): the claim bounds how many statements run, not the thread count.
 */
public final class TargetWorkerPool {
  public static final String NAME = "fleetjobs-target-workers";
  /** A statement may run for the longest step timeout (12 hours by default) without Vert.x calling it blocked. */
  public static final long MAX_EXECUTE_HOURS = 13;

  private final WorkerExecutor executor;
  private final int threads;

  private TargetWorkerPool(WorkerExecutor executor, int threads) {
    this.executor = executor;
    this.threads = threads;
  }

  public static TargetWorkerPool open(Vertx vertx, Capacity capacity) {
    int threads = capacity.workerThreads();
    return new TargetWorkerPool(vertx.createSharedWorkerExecutor(NAME, threads, MAX_EXECUTE_HOURS, TimeUnit.HOURS),
      threads);
  }

  public WorkerExecutor executor() {
    return executor;
  }

  public int threads() {
    return threads;
  }

  /** Worker verticles deployed with these options run on this pool's threads. */
  public DeploymentOptions deployOn(DeploymentOptions options) {
    return new DeploymentOptions(options)
      .setThreadingModel(ThreadingModel.WORKER)
      .setWorkerPoolName(NAME)
      .setWorkerPoolSize(threads)
      .setMaxWorkerExecuteTime(MAX_EXECUTE_HOURS)
      .setMaxWorkerExecuteTimeUnit(TimeUnit.HOURS);
  }

  /** The threads end once the executor verticles deployed on them are gone too. */
  public Future<Void> close() {
    return executor.close();
  }
}
