package io.fleetjobs.server.metrics;

import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.jobs.executions.Lifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Elastic Jobs metrics as Micrometer meters, for /metrics: finished target executions by outcome,
 * with the dimensions Azure lacks, plus the queue, the targets in progress and the tier's capacity.
 * The per-minute counts the alert rules read are kept in the job database by finish_target.
 */
public final class ExecutionMetrics {
  private final MeterRegistry registry;
  private final AtomicLong queueDepth = new AtomicLong();
  private final AtomicLong inProgress = new AtomicLong();

  public ExecutionMetrics(MeterRegistry registry, Capacity capacity) {
    this.registry = registry;
    Gauge.builder("fleetjobs_queue_depth", queueDepth, AtomicLong::get)
      .description("Target executions waiting for a free slot or for their retry time")
      .register(registry);
    Gauge.builder("fleetjobs_targets_in_progress", inProgress, AtomicLong::get)
      .description("Target executions running now, across every agent sharing the job database")
      .register(registry);
    Gauge.builder("fleetjobs_tier_capacity", capacity, Capacity::concurrentTargets)
      .description("How many targets the tier lets run at once")
      .register(registry);
  }

  public void record(TargetFinished finished) {
    Lifecycle.of(finished.lifecycle()).metricName().ifPresent(metric -> Counter.builder(metric)
      .description("Target executions that ended " + finished.lifecycle())
      .tag("jobName", finished.jobName())
      .tag("stepName", finished.stepName())
      .tag("targetServer", finished.serverName())
      .tag("targetDatabase", finished.databaseName())
      .register(registry)
      .increment());
  }

  public void observe(long queued, long running) {
    queueDepth.set(queued);
    inProgress.set(running);
  }
}
