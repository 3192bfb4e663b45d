package io.fleetjobs.server.jobs.worker;

import io.fleetjobs.common.errors.FleetJobsException;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.bus.Addresses;
import io.fleetjobs.server.bus.TargetFinished;
import io.fleetjobs.server.bus.TargetWork;
import io.fleetjobs.server.credentials.LoginCache;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.PinnedSteps;
import io.fleetjobs.server.jobs.RetryBackoff;
import io.fleetjobs.server.jobs.claims.AttemptRepository;
import io.fleetjobs.server.jobs.claims.AttemptResult;
import io.fleetjobs.server.jobs.claims.Claimant;
import io.fleetjobs.server.jobs.claims.ResultBatcher;
import io.fleetjobs.server.jobs.executions.Lifecycle;
import io.fleetjobs.server.logging.LogKeys;
import io.fleetjobs.server.logging.TargetOutcomeLog;
import io.fleetjobs.server.metrics.ExecutionMetrics;
import io.fleetjobs.server.targets.ActionType;
import io.fleetjobs.server.targets.DryRunRefused;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.Messages;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.RunningScript;
import io.fleetjobs.server.targets.ScriptFailed;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.ScriptResult;
import io.fleetjobs.server.targets.TargetDriver;
import io.fleetjobs.server.targets.Retryability;
import io.fleetjobs.server.targets.TargetDrivers;
import io.fleetjobs.server.targets.TargetFailures;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
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
  /** The failure code of a refused hand-over, as HTTP says "not now". */
  private static final int SERVICE_UNAVAILABLE = 503;
  private static final String STOPPING = "AgentStopping";
  private static final String LEASE_LOST = "LeaseLost";
  /** How long a cancelled statement may take to end before its attempt is given up on. */
  private static final long GRACE_MS = 15_000;
  private static final long STOP_PATIENCE_MS = 10_000;
  private static final int RECORD_TRIES = 3;
  private static final long RECORD_RETRY_MS = 500;
  /** The most results one call records: a burst of thousands goes in several calls, none of them long. */
  private static final int RECORD_BATCH = 200;

  /**
   * What an executor uses: the claimant whose leases it renews, the attempts it records, the pinned step
   * definitions, the logins and drivers it connects with, and the meters of finished targets.
   */
  public record Dependencies(Claimant claimant, AttemptRepository attempts, PinnedSteps steps, LoginCache logins,
                             TargetDrivers drivers, ExecutionMetrics metrics) {
  }

  private final Claimant claimant;
  private final AttemptRepository attempts;
  private final PinnedSteps steps;
  private final LoginCache logins;
  private final TargetDrivers drivers;
  private final ExecutionMetrics metrics;
  /** This executor's results, recorded together when they are ready together; used on its context only. */
  private final ResultBatcher results;
  private final Map<UUID, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Set when the verticle starts stopping; read on its own context only. */
  private boolean stopping;

  /** One running attempt; {@code stopReason} is set when the agent, not the target, ended it. */
  private static final class InFlight {
    final TargetWork work;
    final long startNanos = System.nanoTime();
    final Promise<Void> done = Promise.promise();
    volatile RunningScript script;
    volatile String stopReason;
    volatile List<String> messages = List.of();
    /** Said after the status line of a success, before the messages: an output step's script returned no rows. */
    volatile String note = "";
    /** What a dry run saw on the target; null for a real run. */
    volatile JsonObject dryRunReport;

    InFlight(TargetWork work) {
      this.work = work;
    }

    Future<Void> stop(String reason) {
      stopReason = reason;
      return script == null ? Future.succeededFuture() : script.cancel();
    }
  }

  /** @param errorCode the failure's SQLSTATE or error number, when it has one */
  private record Outcome(Lifecycle lifecycle, String message, boolean retryable, String errorCode) {
  }

  public TargetExecutorVerticle(Dependencies dependencies) {
    this.claimant = dependencies.claimant();
    this.attempts = dependencies.attempts();
    this.steps = dependencies.steps();
    this.logins = dependencies.logins();
    this.drivers = dependencies.drivers();
    this.metrics = dependencies.metrics();
    // The context is this verticle's once deployed; the batcher runs no task before the first result.
    this.results = new ResultBatcher(attempts::finishAll, RECORD_BATCH,
      task -> context.runOnContext(confined -> task.run()));
  }

  @Override
  public Future<?> start() {
    long renewEvery = claimant.leaseSeconds() * 1000L / 3;
    vertx.setPeriodic(renewEvery, id -> renewLeases());
    vertx.eventBus().<JsonObject>localConsumer(Addresses.TARGET_CANCEL, message ->
      message.body().getJsonArray("targetExecutionIds").forEach(id -> {
        InFlight running = inFlight.get(UUID.fromString((String) id));
        if (running != null) {
          running.stop(Lifecycle.CANCELED.value());
        }
      }));
    return vertx.eventBus().<JsonObject>localConsumer(Addresses.TARGET_RUN, message -> {
      if (stopping) {
        // Work that arrives while this executor waits for its running attempts to stop is refused, so the
        // dispatcher hands it back: started now, it would be cut off as the agent closes its connections and
        // recorded as failed (seen once in a rolling restart of 1,000 targets).
        message.fail(SERVICE_UNAVAILABLE, "this agent is stopping");
        return;
      }
      // Acknowledged on receipt: the dispatcher hands back work no executor acknowledged.
      message.reply(null);
      run(TargetWork.fromJson(message.body()));
    }).completion();
  }

  /**
   * Cancels what still runs and waits (a while) for those attempts to be handed back, so no target keeps a
   * statement busy after the agent stops and no attempt is spent on the stop.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    List<InFlight> running = List.copyOf(inFlight.values());
    running.forEach(attempt -> attempt.stop(STOPPING));
    return Future.join(running.stream().map(attempt -> attempt.done.future()).toList())
      .timeout(STOP_PATIENCE_MS, TimeUnit.MILLISECONDS)
      .otherwiseEmpty();
  }

  private void run(TargetWork work) {
    InFlight attempt = new InFlight(work);
    // A newer claim of the same row means this agent's older attempt lost its lease: stop that one.
    InFlight older = inFlight.put(work.targetExecutionId(), attempt);
    if (older != null && older.work.claim() < work.claim()) {
      older.stop(LEASE_LOST);
    }
    steps.get(work.jobId(), work.jobVersion(), work.stepId())
      .transform(loaded -> loaded.failed()
        ? record(attempt, null, loaded.cause())
        : runStep(attempt, loaded.result())
          .transform(result -> record(attempt, loaded.result(), result.failed() ? result.cause() : null)))
      .onSuccess(recorded -> published(attempt, recorded))
      .onFailure(e -> LogKeys.target(LOG.atWarn(), work).log("Could not record the result of target {} (job {}, "
        + "step {}, {}/{}); its lease will expire and the attempt run again: {}", work.targetExecutionId(),
        work.jobName(), work.stepId(), work.serverName(), work.databaseName(), e.getMessage()))
      .onComplete(finished -> {
        inFlight.remove(work.targetExecutionId(), attempt);
        attempt.done.tryComplete();
      });
  }

  private Future<Void> runStep(InFlight attempt, JobStep step) {
    TargetWork work = attempt.work;
    TargetDriver driver;
    try {
      driver = drivers.forEngine(work.engine());
    } catch (InvalidInput e) {
      return Future.failedFuture(e);
    }
    return login(driver, step.credentialId(), "The step has no credential to connect to targets with.").compose(login -> {
      ScriptOptions options = new ScriptOptions(ActionType.of(step.action().type()),
        step.executionOptions().singleTransaction(), step.output() != null,
        ScriptOptions.applicationName(work.jobName(), work.stepName()));
      if (work.dryRun()) {
        if (!driver.runsDryRuns()) {
          // Never run for real what was asked for as a dry run.
          return Future.failedFuture(new ScriptFailed(ScriptOptions.NOT_ON_THIS_ENGINE.formatted(work.engine()),
            List.of(), new DryRunRefused(ScriptOptions.NOT_ON_THIS_ENGINE.formatted(work.engine()), null)));
        }
        options = options.asDryRun();
      }
      RunningScript script = driver.run(work.serverName(), work.databaseName(), login, work.connection(),
        ScriptVariables.substitute(step.action().value(), work), options);
      attempt.script = script;
      if (attempt.stopReason != null) {
        script.cancel();
      }
      // The timeout counts from this attempt's start on this target, not from the job's start.
      long timeoutMs = step.executionOptions().timeoutSeconds() * 1000L;
      long timer = vertx.setTimer(timeoutMs, fired -> attempt.stop(Lifecycle.TIMED_OUT.value()));
      return script.result()
        // A target that ignores the cancel does not keep its slot: the attempt ends after a grace period.
        .timeout(timeoutMs + GRACE_MS, TimeUnit.MILLISECONDS)
        .eventually(() -> {
          vertx.cancelTimer(timer);
          return Future.succeededFuture();
        })
        .compose(result -> {
          attempt.messages = result.messages();
          if (work.dryRun()) {
            // A dry run writes no output table: what it saw is kept with the target instead.
            attempt.dryRunReport = DryRunReport.of(result);
            return Future.succeededFuture();
          }
          if (step.output() != null && !result.hasResultSet()) {
            // As in Elastic Jobs, a script that returns nothing has nothing to write; that is not a failure.
            attempt.note = " The script returned no result set, so no rows were written to the output table.";
          }
          return writeOutput(step, work, login, result);
        });
    });
  }

  /** The stored login, unless the driver authenticates as the agent's identity and reads none. */
  private Future<Login> login(TargetDriver driver, UUID credentialId, String missing) {
    if (!driver.usesStoredCredentials()) {
      return Future.succeededFuture(null);
    }
    return credentialId == null
      ? Future.failedFuture(new InvalidInput("credential", missing))
      : logins.get(credentialId);
  }

  private Future<Void> writeOutput(JobStep step, TargetWork work, Login stepLogin, ScriptResult result) {
    JobStep.Output output = step.output();
    if (output == null) {
      return Future.succeededFuture();
    }
    OutputTable table = new OutputTable(output.serverName(), output.databaseName(), output.schemaName(),
      output.tableName(), work.jobExecutionId(), work.serverName(), work.databaseName(), output.sslMode());
    TargetDriver driver = drivers.forEngine(output.engine());
    Future<Login> login = output.credentialId() == null || !driver.usesStoredCredentials()
      ? Future.succeededFuture(driver.usesStoredCredentials() ? stepLogin : null)
      : logins.get(output.credentialId());
    return login.compose(outputLogin -> outputLogin == null && driver.usesStoredCredentials()
      ? Future.failedFuture(new InvalidInput("output.credential", "The output table needs a credential: the step "
        + "connects as the agent's identity, which the " + output.engine() + " engine does not use."))
      : driver.appendOutput(table, outputLogin, result));
  }

  /**
   * Records the outcome, fenced by the claim, trying again briefly: a result that cannot be recorded would
   * otherwise be run again once the lease expires. A stopping agent hands the claim back instead.
   */
  /** @param step the step that ran, or null when its definition could not be read */
  private Future<Optional<TargetFinished>> record(InFlight attempt, JobStep step, Throwable failure) {
    TargetWork work = attempt.work;
    if (STOPPING.equals(attempt.stopReason) || LEASE_LOST.equals(attempt.stopReason)) {
      return attempts.release(work).map(released -> {
        if (!released) {
          LOG.info("Target {} (job {}, step {}, {}/{}) was taken over while this agent ran it; its result is dropped "
            + "(fencing: claim {} is no longer current)", work.targetExecutionId(), work.jobName(), work.stepId(),
            work.serverName(), work.databaseName(), work.claim());
        }
        return Optional.empty();
      });
    }
    Outcome outcome = outcome(attempt, step != null && step.executionOptions().retriesAnyFailure(), failure);
    // The job database retries only while attempts are left; the step's backoff (Elastic Jobs' default when the
    // step could not be read) says when.
    RetryBackoff backoff = step == null ? RetryBackoff.ELASTIC_JOBS_DEFAULT : RetryBackoff.of(step.executionOptions());
    Instant retryAt = outcome.retryable() ? backoff.nextAttempt(attempts.now(), work.attempt()) : null;
    AttemptResult result = new AttemptResult(work.targetExecutionId(), work.claim(), outcome.lifecycle().value(),
      outcome.message(), retryAt, outcome.errorCode(), attempt.dryRunReport);
    return recordWithRetries(result, RECORD_TRIES)
      .onSuccess(recorded -> {
        if (recorded.isEmpty()) {
          // Another agent took the target over while this one was paused or cut off: fencing kept its result out.
          LOG.info("Result of target {} (job {}, step {}, {}/{}) refused by fencing: claim {} is no longer current",
            work.targetExecutionId(), work.jobName(), work.stepId(), work.serverName(), work.databaseName(),
            work.claim());
        }
      });
  }

  private Future<Optional<TargetFinished>> recordWithRetries(AttemptResult result, int triesLeft) {
    return results.finish(result)
      .recover(e -> triesLeft <= 1 ? Future.failedFuture(e) : vertx.timer(RECORD_RETRY_MS)
        .compose(waited -> recordWithRetries(result, triesLeft - 1)));
  }

  /** @param retryAnyFailure the step's retryOn Any: retry what the classification calls permanent too */
  private Outcome outcome(InFlight attempt, boolean retryAnyFailure, Throwable failure) {
    TargetWork work = attempt.work;
    String where = "target (server '" + work.serverName() + "', database '" + work.databaseName() + "')";
    // What a script printed before it was stopped often says how far it got.
    String printed = Messages.suffix(failure instanceof ScriptFailed stopped ? stopped.messages() : List.of());
    if (Lifecycle.TIMED_OUT.value().equals(attempt.stopReason)) {
      // A timeout is transient: the next attempt may find the target less busy.
      return new Outcome(Lifecycle.TIMED_OUT, "Step " + work.stepId() + " timed out on " + where
        + "; its statement was cancelled on the server." + printed, true, null);
    }
    if (Lifecycle.CANCELED.value().equals(attempt.stopReason)) {
      return new Outcome(Lifecycle.CANCELED, "Canceled while running on " + where
        + "; its statement was cancelled on the server." + printed, false, null);
    }
    if (failure == null) {
      // PRINT and other informational messages follow the status line: Azure drops them, its users ask for them.
      return new Outcome(Lifecycle.SUCCEEDED, "Step " + work.stepId() + " succeeded execution on " + where + "."
        + attempt.note + Messages.suffix(attempt.messages), false, null);
    }
    Retryability retryability = TargetFailures.classify(failure);
    // Even retryOn Any does not retry a definition that cannot work (no credential, an output table of another
    // shape): nothing on the target can change that.
    boolean retryable = retryability.retryable() || (retryAnyFailure && !(failure instanceof FleetJobsException));
    return new Outcome(Lifecycle.FAILED, "Attempt " + work.attempt() + " of step " + work.stepId() + " failed on "
      + where + ": " + failure.getMessage() + (retryable ? "" : "; not retried: " + retryability.reason()), retryable,
      TargetFailures.code(failure).orElse(null));
  }

  /** @param recorded empty when the attempt was handed back rather than recorded: it ran for nothing */
  private void published(InFlight attempt, Optional<TargetFinished> recorded) {
    recorded.ifPresent(finished -> {
      // A dry run counts in none of the meters of real runs, as it counts in none of the job database's metrics.
      if (!attempt.work.dryRun()) {
        metrics.attempted(attempt.work, Duration.ofNanos(System.nanoTime() - attempt.startNanos));
      }
      if (finished.isFinal()) {
        if (!attempt.work.dryRun()) {
          metrics.record(finished);
        }
        TargetOutcomeLog.ended(finished);
      }
      vertx.eventBus().publish(Addresses.TARGET_FINISHED, finished.toJson());
    });
  }

  /**
   * Extends the leases of what runs here, claim by claim. A row this agent no longer holds under that claim
   * (taken over after a pause, or deleted with its job) is stopped on its target at once: its result could
   * not be recorded anyway.
   */
  private void renewLeases() {
    List<InFlight> running = List.copyOf(inFlight.values());
    if (running.isEmpty()) {
      return;
    }
    attempts.renew(claimant.agentId(), running.stream().map(attempt -> attempt.work).toList(),
        claimant.leaseSeconds())
      .onSuccess(held -> running.stream()
        .filter(attempt -> !held.contains(attempt.work.targetExecutionId()))
        .forEach(attempt -> attempt.stop(LEASE_LOST)))
      .onFailure(e -> LOG.warn("Could not renew {} leases: {}", running.size(), e.getMessage()));
  }
}
