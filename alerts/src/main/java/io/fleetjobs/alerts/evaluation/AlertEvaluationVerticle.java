package io.fleetjobs.alerts.evaluation;

import io.fleetjobs.alerts.rules.AlertRule;
import io.fleetjobs.alerts.store.AlertRuleRepository;
import io.fleetjobs.alerts.store.ProcessingRuleRepository;
import io.fleetjobs.common.async.CoalescedRounds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when rules are evaluated: right after target executions finish (a burst is coalesced into
 * one run), and on a ticker for each rule's evaluationFrequency, so windows that empty out resolve and
 * executions finished by other agents are seen. One run at a time; a request during a run queues one more.
 */
public final class AlertEvaluationVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluationVerticle.class);
  /** Long enough to fold a burst of finished targets into one run, short enough to alert within a second. */
  private static final long COALESCE_MS = 50;

  /** What the verticle needs; {@code finishedAddress} is where the engine publishes each finished target. */
  public record Dependencies(AlertEvaluator evaluator, AlertRuleRepository rules,
                             ProcessingRuleRepository processingRules, String finishedAddress, Duration tick,
                             Clock clock) {
  }

  private final Dependencies dependencies;
  private final Map<String, Instant> lastRun = new HashMap<>();
  /** A full run takes every enabled rule: a finished target may change any of them. */
  private final CoalescedRounds runs = new CoalescedRounds(this::run);

  public AlertEvaluationVerticle(Dependencies dependencies) {
    this.dependencies = dependencies;
  }

  @Override
  public Future<?> start() {
    // A tick that finds a run going is dropped: the run takes what is due, and the next tick comes soon.
    vertx.setPeriodic(dependencies.tick().toMillis(), id -> runs.requestIfIdle());
    return vertx.eventBus()
      .localConsumer(dependencies.finishedAddress(), message -> runs.requestFullAfter(() -> vertx.timer(COALESCE_MS)))
      .completion();
  }

  private Future<?> run(boolean all) {
    Instant now = dependencies.clock().instant();
    return dependencies.rules().enabled()
      .compose(enabled -> {
        List<AlertRule> due = all ? enabled : enabled.stream().filter(rule -> isDue(rule, now)).toList();
        if (due.isEmpty()) {
          return Future.succeededFuture(0);
        }
        due.forEach(rule -> lastRun.put(rule.name(), now));
        return dependencies.processingRules()
          .all()
          .compose(processing -> dependencies.evaluator().evaluate(due, processing));
      })
      .onFailure(e -> LOG.warn("Alert rule evaluation failed; the next tick tries again", e));
  }

  private boolean isDue(AlertRule rule, Instant now) {
    Instant last = lastRun.get(rule.name());
    // Half a tick of slack, so a one-second rule on a one-second ticker does not skip every other tick.
    return last == null || !last.plus(rule.evaluationFrequency()).minus(dependencies.tick().dividedBy(2)).isAfter(now);
  }
}
