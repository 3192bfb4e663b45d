package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.alerts.AlertsAddresses;
import io.fleetjobs.alerts.rules.RulePause;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An alert rule's pause action: when a rule that names jobs fires, their running executions pause, as an AWS SSM
 * alarm stops a rollout. The pause is one routine in the job database, so every agent sees it at once.
 */
public final class AlertPausesVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AlertPausesVerticle.class);
  private final RolloutRepository rollouts;

  public AlertPausesVerticle(RolloutRepository rollouts) {
    this.rollouts = rollouts;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>localConsumer(AlertsAddresses.RULE_PAUSES, message -> {
      RulePause pause = RulePause.fromJson(message.body());
      rollouts.pause(pause.everyJob() ? null : pause.jobs(), "alert rule '" + pause.ruleName() + "' fired.")
        .onSuccess(paused -> {
          if (!paused.isEmpty()) {
            LOG.info("Alert rule {} fired: paused {} running executions of {}", pause.ruleName(), paused.size(),
              pause.jobs());
          }
        })
        .onFailure(e -> LOG.warn("Alert rule {} fired, but its executions could not be paused: {}",
          pause.ruleName(), e.getMessage()));
    }).completion();
  }
}
