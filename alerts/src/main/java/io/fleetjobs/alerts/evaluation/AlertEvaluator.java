package io.fleetjobs.alerts.evaluation;

import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.notify.AlertNotice;
import io.fleetjobs.alerts.notify.NotificationFactory;
import io.fleetjobs.alerts.rules.AlertMetric;
import io.fleetjobs.alerts.rules.AlertRule;
import io.fleetjobs.alerts.rules.Criterion;
import io.fleetjobs.alerts.rules.Evaluation;
import io.fleetjobs.alerts.rules.InstanceKey;
import io.fleetjobs.alerts.rules.MetricSnapshot;
import io.fleetjobs.alerts.rules.OpenAlert;
import io.fleetjobs.alerts.rules.RuleEvaluator;
import io.fleetjobs.alerts.rules.RulePause;
import io.fleetjobs.alerts.rules.Transition;
import io.fleetjobs.alerts.source.MetricSource;
import io.fleetjobs.alerts.source.RecentExecution;
import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.alerts.store.AlertRepository;
import io.fleetjobs.alerts.store.NewNotification;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.fleetjobs.alerts.suppress.ProcessingRule;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates rules against one snapshot and applies the transitions, in one transaction that holds the rules' row
 * locks: the alerts' new state and their outbox rows commit together or not at all, and an agent holding an older
 * snapshot than the last one applied to a rule skips that rule.
 */
public final class AlertEvaluator {
  private static final Logger LOG = LoggerFactory.getLogger(AlertEvaluator.class);
  /** How many executions a notification names; enough to see a pattern, small enough for a mail. */
  private static final int RECENT_PER_NOTICE = 10;
  private static final int RECENT_FETCHED = 500;
  private final Pool pool;
  private final AlertRepository alerts;
  private final ActionGroupRepository actionGroups;
  private final OutboxRepository outbox;
  private final MetricSource source;
  private final NotificationFactory notifications;
  private final int maxAttempts;
  /** Told, once a firing is committed, about a rule that pauses jobs. */
  private final Consumer<RulePause> pauses;
  /** Told, once notifications are committed, that the outbox has new rows. */
  private final Runnable queued;

  /**
   * What the evaluator needs: the pool its transactions run on, the stores whose statements run in them,
   * where metrics come from, and how notifications are made.
   *
   * @param maxAttempts how often a notification is tried before it is dead-lettered
   * @param queued      run as soon as transitions that queued notifications commit, so delivery claims them at
   *                    once rather than at its next poll
   */
  public record Dependencies(Pool pool, AlertRepository alerts, ActionGroupRepository actionGroups,
                             OutboxRepository outbox, MetricSource source, NotificationFactory notifications,
                             int maxAttempts, Consumer<RulePause> pauses, Runnable queued) {
  }

  public AlertEvaluator(Dependencies dependencies) {
    this.pool = dependencies.pool();
    this.alerts = dependencies.alerts();
    this.actionGroups = dependencies.actionGroups();
    this.outbox = dependencies.outbox();
    this.source = dependencies.source();
    this.notifications = dependencies.notifications();
    this.maxAttempts = dependencies.maxAttempts();
    this.pauses = dependencies.pauses();
    this.queued = dependencies.queued();
  }

  /** @return how many notifications the transitions wrote to the outbox */
  public Future<Integer> evaluate(List<AlertRule> rules, List<ProcessingRule> processingRules) {
    if (rules.isEmpty()) {
      return Future.succeededFuture(0);
    }
    Duration longest = rules.stream().map(AlertRule::windowSize).max(Duration::compareTo).orElseThrow();
    List<String> names = rules.stream().map(AlertRule::name).toList();
    // Every rule in one transaction, a handful of round trips on one connection: ten transactions side by side
    // waited for the pool's connections, and the run for the slowest of them. Should it fail, each rule is tried in
    // a transaction of its own, so one rule that cannot be evaluated holds up no other.
    return source.snapshot(longest).compose(snapshot -> evaluate(names, snapshot, processingRules)
      .recover(failed -> {
        if (names.size() == 1) {
          return Future.failedFuture(failed);
        }
        LOG.debug("Evaluating {} rules together failed; evaluating each on its own", names.size(), failed);
        List<Future<Integer>> written = names.stream()
          .map(name -> evaluate(List.of(name), snapshot, processingRules))
          .toList();
        return Future.all(written).map(all -> written.stream().mapToInt(Future::result).sum());
      }));
  }

  private Future<Integer> evaluate(List<String> names, MetricSnapshot snapshot, List<ProcessingRule> processingRules) {
    List<AlertRule> firedPausing = new ArrayList<>();
    // Statements that do not wait for each other's results are sent together on the transaction's connection
    // (pipelined): the open alerts with the locks (read after them, in order), then the marks with every rule's
    // transitions, then the notifications of all rules in one batch.
    return pool.withTransaction(conn -> {
      Future<List<AlertRepository.LockedRule>> locks = alerts.lockRules(conn, names);
      Future<Map<String, List<OpenAlert>>> open = alerts.open(conn, names);
      return Future.all(locks, open).compose(read -> {
        List<AlertRule> due = locks.result().stream()
          .filter(locked -> locked.lastEvaluatedAt() == null || snapshot.at().isAfter(locked.lastEvaluatedAt()))
          .map(AlertRepository.LockedRule::rule)
          .toList();
        if (due.isEmpty()) {
          return Future.succeededFuture(0);
        }
        Future<Void> marked = alerts.markEvaluated(conn, due.stream().map(AlertRule::name).toList(), snapshot.at());
        List<Future<List<NewNotification>>> applied = due.stream()
          .map(rule -> apply(conn, rule, snapshot, open.result().getOrDefault(rule.name(), List.of()),
            processingRules, firedPausing))
          .toList();
        return Future.all(marked, Future.all(applied)).compose(done -> {
          List<NewNotification> rows = applied.stream().flatMap(rule -> rule.result().stream()).toList();
          return outbox.insert(conn, rows).map(rows.size());
        });
      });
    })
      // Only a committed firing pauses or sends anything: a rolled-back one never happened.
      .onSuccess(written -> {
        firedPausing.forEach(rule -> pauses.accept(new RulePause(rule.name(), rule.pauseJobs())));
        if (written > 0) {
          queued.run();
        }
      });
  }

  /** @return the rule's notifications, to be written with every other rule's */
  private Future<List<NewNotification>> apply(SqlConnection conn, AlertRule rule, MetricSnapshot snapshot,
                                              List<OpenAlert> open, List<ProcessingRule> processingRules,
                                              List<AlertRule> firedPausing) {
    Map<InstanceKey, OpenAlert> openByKey = open.stream()
      .collect(Collectors.toMap(OpenAlert::key, Function.identity(), (a, b) -> a));
    List<AlertNotice> notices = new ArrayList<>();
    List<AlertRepository.Firing> firings = new ArrayList<>();
    boolean notifies = false;
    // Each transition touches its own alert, so they are all sent at once rather than one after another.
    List<Future<?>> changes = new ArrayList<>();
    for (Evaluation evaluation : RuleEvaluator.evaluate(rule, snapshot, openByKey.keySet())) {
      OpenAlert alert = openByKey.get(evaluation.key());
      Transition transition = Transition.of(rule, alert, evaluation, snapshot.at());
      notifies |= transition == Transition.FIRE || transition == Transition.RESOLVE;
      if (transition == Transition.FIRE) {
        UUID id = UUID.randomUUID();
        firings.add(new AlertRepository.Firing(id, evaluation.key(), evaluation.values()));
        notices.add(notice(rule, id, AlertNotice.FIRED, snapshot.at(), null, evaluation, 1));
        continue;
      }
      changes.add(switch (transition) {
        case NONE, FIRE -> Future.<Void>succeededFuture();
        case START_CLEARING -> alerts.clearSince(conn, alert.alertId(), snapshot.at());
        case BREACH_AGAIN -> alerts.clearSince(conn, alert.alertId(), null);
        case RESOLVE -> alerts.resolve(conn, alert.alertId(), snapshot.at(), evaluation.values())
          .onSuccess(sequence -> notices.add(notice(rule, alert.alertId(), AlertNotice.RESOLVED, alert.firedAt(),
            snapshot.at(), evaluation, sequence)))
          .<Void>mapEmpty();
      });
    }
    if (!firings.isEmpty() && rule.pausesJobs()) {
      firedPausing.add(rule);
    }
    // Every instance that fires goes in one batch.
    changes.add(alerts.fire(conn, rule, snapshot.at(), firings));
    Future<?> transitions = Future.all(changes);
    if (!notifies) {
      return transitions.map(List.of());
    }
    // What the notifications name is read alongside the transitions, not after them.
    List<AlertMetric> metrics = rule.allOf().stream().map(Criterion::metric).distinct().toList();
    Future<List<RecentExecution>> recent = source.recent(conn, metrics, snapshot.at().minus(rule.windowSize()),
      RECENT_FETCHED);
    Future<List<Receiver>> receivers = actionGroups.receivers(conn, rule.actions());
    return Future.all(transitions, recent, receivers).map(loaded -> {
      List<NewNotification> rows = new ArrayList<>();
      for (AlertNotice found : notices) {
        AlertNotice notice = withRecent(found, rule, recent.result());
        rows.addAll(notifications.forNotice(notice, receivers.result(), processingRules, snapshot.at(), maxAttempts));
      }
      return rows;
    });
  }

  private static AlertNotice notice(AlertRule rule, UUID alertId, String condition, Instant firedAt,
                                    Instant resolvedAt, Evaluation evaluation, int sequence) {
    return new AlertNotice(alertId, rule.name(), rule.description(), rule.severity(), condition, firedAt, resolvedAt,
      rule.windowSize(), resolvedAt == null ? firedAt : resolvedAt, evaluation.key(), evaluation.values(), List.of(),
      sequence, false);
  }

  /** The executions behind this instance: the rule's own filters and the instance's dimension values. */
  private static AlertNotice withRecent(AlertNotice notice, AlertRule rule, List<RecentExecution> recent) {
    return notice.withRecent(recent.stream()
      .filter(e -> notice.key().matches(e.asSample()))
      .filter(e -> rule.allOf().stream().anyMatch(c -> c.accepts(e.asSample())))
      .limit(RECENT_PER_NOTICE)
      .toList());
  }
}
