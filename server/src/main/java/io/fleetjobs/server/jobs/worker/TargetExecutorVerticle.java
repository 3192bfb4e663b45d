package io.fleetjobs.server.jobs.worker;

import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.errors.FleetJobsException;
import io.fleetjobs.server.errors.InvalidInput;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.dispatch.Engine;
import io.fleetjobs.server.jobs.executions.Lifecycles;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one step on one target per message: connect with the step's credential, run the script, write the
 * first result set to the output table, and record the outcome fenced by the claim. It renews the leases
 * of what it runs, cancels statements on timeout or on request, and publishes every recorded result.
 */
public final class TargetExecutorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(TargetExecutorVerticle.class);

  private static final String STOPPING = "AgentStopping";
  private static final String LEASE_LOST = "LeaseLost";
  private static final long CANCEL_PATIENCE_MS = 5000;

  private final Engine engine;
  private final Map<UUID, InFlight> inFlight = new ConcurrentHashMap<>();

  /** One running attempt; {@code stopReason} is set when the agent, not the target, ended it. */
  private static final class InFlight {
    final TargetWork work;
    volatile RunningScript script;
    volatile String stopReason;

    InFlight(TargetWork work) {
      this.work = work;
    }

    Future<Void> stop(String reason) {
      stopReason = reason;
      return script == null ? Future.succeededFuture() : script.cancel();
    }
  }

  private record Outcome(String lifecycle, String message, boolean retryable) {
  }

  public TargetExecutorVerticle(Engine engine) {
    this.engine = engine;
  }

  @Override
  public Future<?> start() {
    long renewEvery = engine.settings().leaseSeconds() * 1000L / 3;
    vertx.setPeriodic(renewEvery, id -> renewLeases());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.TARGET_CANCEL, message ->
      message.body().getJsonArray("targetExecutionIds").forEach(id -> {
        InFlight running = inFlight.get(UUID.fromString((String) id));
        if (running != null) {
          running.stop(Lifecycles.CANCELED);
        }
      }));
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.TARGET_RUN,
      message -> run(TargetWork.fromJson(message.body()))).completion();
  }

  /**
   * Cancels what still runs, so no target keeps a statement (and this process) busy after the agent
   * stops. The attempts are recorded as failed and retried, here or by another agent.
   */
  @Override
  public Future<?> stop() {
    // Undeploying waits for the cancel requests to go out; the statements then end and their connections close.
    return Future.join(inFlight.values().stream().map(attempt -> attempt.stop(STOPPING)).toList())
      .timeout(CANCEL_PATIENCE_MS, TimeUnit.MILLISECONDS)
      .otherwiseEmpty();
  }

  private void run(TargetWork work) {
    InFlight attempt = new InFlight(work);
    inFlight.put(work.targetExecutionId(), attempt);
    engine.steps().get(work.jobId(), work.jobVersion(), work.stepId())
      .compose(step -> runStep(attempt, step))
      .transform(result -> Future.succeededFuture(outcome(attempt, result.failed() ? result.cause() : null)))
      .compose(outcome -> engine.claims().finish(work, outcome.lifecycle(), outcome.message(), outcome.retryable()))
      .onComplete(done -> inFlight.remove(work.targetExecutionId()))
      .onSuccess(this::published)
      .onFailure(e -> LOG.warn("Could not record the result of target {} (job {}, step {}, {}/{}); its lease will "
        + "expire and the attempt run again: {}", work.targetExecutionId(), work.jobName(), work.stepId(),
        work.serverName(), work.databaseName(), e.getMessage()));
  }

  private Future<Void> runStep(InFlight attempt, JobStep step) {
    TargetWork work = attempt.work;
    if (step.credentialId() == null) {
      return Future.failedFuture(new InvalidInput("credential", "The step has no credential to connect to targets with."));
    }
    return engine.logins().get(step.credentialId()).compose(login -> {
      RunningScript script = engine.drivers().forEngine(work.engine())
        .run(work.serverName(), work.databaseName(), login, ScriptVariables.substitute(step.action().value(), work));
      attempt.script = script;
      if (attempt.stopReason != null) {
        script.cancel();
      }
      // The timeout counts from this attempt's start on this target, not from the job's start.
      long timer = vertx.setTimer(step.executionOptions().timeoutSeconds() * 1000L,
        fired -> attempt.stop(Lifecycles.TIMED_OUT));
      return script.result()
        .eventually(() -> {
          vertx.cancelTimer(timer);
          return Future.succeededFuture();
        })
        .compose(result -> writeOutput(step, work, login, result));
    });
  }

  private Future<Void> writeOutput(JobStep step, TargetWork work, Login stepLogin, ScriptResult result) {
    JobStep.Output output = step.output();
    if (output == null) {
      return Future.succeededFuture();
    }
    OutputTable table = new OutputTable(output.serverName(), output.databaseName(), output.schemaName(),
      output.tableName(), work.jobExecutionId(), work.serverName(), work.databaseName());
    Future<Login> login = output.credentialId() == null
      ? Future.succeededFuture(stepLogin)
      : engine.logins().get(output.credentialId());
    return login.compose(outputLogin -> engine.drivers().forEngine(output.engine())
      .appendOutput(table, outputLogin, result))
      .recover(e -> Future.failedFuture(new IllegalStateException("Writing the output failed: " + e.getMessage(), e)));
  }

  private Outcome outcome(InFlight attempt, Throwable failure) {
    TargetWork work = attempt.work;
    String where = "target (server '" + work.serverName() + "', database '" + work.databaseName() + "')";
    if (Lifecycles.TIMED_OUT.equals(attempt.stopReason)) {
      return new Outcome(Lifecycles.TIMED_OUT, "Step " + work.stepId() + " timed out on " + where
        + "; its statement was cancelled on the server.", false);
    }
    if (Lifecycles.CANCELED.equals(attempt.stopReason)) {
      return new Outcome(Lifecycles.CANCELED, "Canceled while running on " + where
        + "; its statement was cancelled on the server.", false);
    }
    if (STOPPING.equals(attempt.stopReason)) {
      return new Outcome(Lifecycles.FAILED, "The agent stopped while step " + work.stepId() + " ran on " + where
        + "; its statement was cancelled and the attempt will be retried.", true);
    }
    if (failure == null) {
      return new Outcome(Lifecycles.SUCCEEDED, "Step " + work.stepId() + " succeeded execution on " + where + ".", false);
    }
    // A definition that cannot work now will not work on a retry either.
    boolean retryable = !(failure instanceof FleetJobsException);
    return new Outcome(Lifecycles.FAILED, "Attempt " + work.attempt() + " of step " + work.stepId() + " failed on "
      + where + ": " + failure.getMessage(), retryable);
  }

  private void published(Optional<TargetFinished> recorded) {
    recorded.ifPresent(finished -> {
      if (finished.isFinal()) {
        engine.metrics().record(finished);
      }
      vertx.eventBus().publish(Addresses.TARGET_FINISHED, finished.toJson());
    });
  }

  /**
   * Extends the leases of what runs here. A row this agent no longer holds (taken over after a pause,
   * or deleted with its job) is stopped on its target at once: its result could not be recorded anyway.
   */
  private void renewLeases() {
    List<UUID> ids = List.copyOf(inFlight.keySet());
    if (ids.isEmpty()) {
      return;
    }
    engine.claims().renew(engine.agentId(), ids, engine.settings().leaseSeconds())
      .onSuccess(held -> ids.stream()
        .filter(id -> !held.contains(id))
        .map(inFlight::get)
        .filter(attempt -> attempt != null)
        .forEach(attempt -> attempt.stop(LEASE_LOST)))
      .onFailure(e -> LOG.warn("Could not renew {} leases: {}", ids.size(), e.getMessage()));
  }
}
