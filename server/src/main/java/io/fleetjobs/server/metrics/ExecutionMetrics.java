package io.fleetjobs.server.metrics;

import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.TelemetrySettings.TargetLabels;
import io.fleetjobs.server.jobs.executions.Lifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's meters, for /metrics: finished target executions by outcome (the Elastic Jobs metrics, with the
 * dimensions Azure lacks), how long scripts take on targets, what this agent claims, the live agents, the queue,
 * the targets in progress and the tier's capacity. Label names follow Prometheus' conventions (snake_case); the
 * per-minute counts the alert rules read are kept in the job database by finish_targets, with every dimension.
 */
public final class ExecutionMetrics {
  /** From a quick statement to a long maintenance script; a step's timeout is at most a day. */
  private static final Duration[] DURATION_BUCKETS = {
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
    Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
    Duration.ofHours(1), Duration.ofHours(4)};

  /** What a claim took from the job database. */
  public enum Claimed {
    TARGET("target"),
    STEP("step"),
    MEMBER("member");

    private final String label;

    Claimed(String label) {
      this.label = label;
    }
  }

  private final MeterRegistry registry;
  private final TargetLabels targetLabels;
  private final AtomicLong queueDepth = new AtomicLong();
  private final AtomicLong inProgress = new AtomicLong();
  private final AtomicLong liveAgents = new AtomicLong();
  private final AtomicLong share = new AtomicLong();

  /** @param targetLabels which target labels the outcome counters carry (FLEETJOBS_METRICS_TARGET_LABELS) */
  public ExecutionMetrics(MeterRegistry registry, Capacity capacity, TargetLabels targetLabels) {
    this.registry = registry;
    this.targetLabels = targetLabels;
    Gauge.builder("fleetjobs_queue_depth", queueDepth, AtomicLong::get)
      .description("Target executions waiting for a free slot or for their retry time")
      .register(registry);
    Gauge.builder("fleetjobs_targets_in_progress", inProgress, AtomicLong::get)
      .description("Target executions running now, across every agent sharing the job database")
      .register(registry);
    Gauge.builder("fleetjobs_tier_capacity", capacity, Capacity::concurrentTargets)
      .description("How many targets the tier lets run at once")
      .register(registry);
    Gauge.builder("fleetjobs_agents_live", liveAgents, AtomicLong::get)
      .description("Agents sharing the job database that heartbeat, as this agent's last heartbeat saw them")
      .register(registry);
    Gauge.builder("fleetjobs_agent_share", share, AtomicLong::get)
      .description("How many targets this agent may run at once: its share of the tier's capacity")
      .register(registry);
    for (Claimed kind : Claimed.values()) {
      claims(kind);
    }
  }

  /** A target execution ended: counted under its outcome's Elastic Jobs metric, if the outcome has one. */
  public void record(TargetFinished finished) {
    Lifecycle.of(finished.lifecycle()).metricName().ifPresent(metric -> Counter.builder(metric)
      .description("Target executions that ended " + finished.lifecycle())
      .tags(outcomeTags(finished))
      .register(registry)
      .increment());
  }

  /** One attempt of a step on a target ran for {@code took}, whatever came of it. */
  public void attempted(TargetWork work, Duration took) {
    Timer.builder("fleetjobs_target_duration")
      .description("How long one attempt of a step's script took on one target, by job and step")
      .tags("job_name", work.jobName(), "step_name", work.stepName())
      .serviceLevelObjectives(DURATION_BUCKETS)
      .register(registry)
      .record(took);
  }

  public void claimed(Claimed kind, int count) {
    if (count > 0) {
      claims(kind).increment(count);
    }
  }

  /** What the last heartbeat learned: the live agents, and this agent's share of the capacity. */
  public void heartbeat(int live, int agentShare) {
    liveAgents.set(live);
    share.set(agentShare);
  }

  public void observe(long queued, long running) {
    queueDepth.set(queued);
    inProgress.set(running);
  }

  private Counter claims(Claimed kind) {
    return Counter.builder("fleetjobs_claims")
      .description("Work this agent claimed from the job database, by kind; rate() gives claims per second")
      .tag("kind", kind.label)
      .register(registry);
  }

  Tags outcomeTags(TargetFinished finished) {
    Tags tags = Tags.of("job_name", finished.jobName(), "step_name", finished.stepName());
    return switch (targetLabels) {
      case NONE -> tags;
      case SERVER -> tags.and("target_server", finished.serverName());
      case DATABASE -> tags.and("target_server", finished.serverName(), "target_database", finished.databaseName());
    };
  }
}
