package io.fleetjobs.alerts;

import io.fleetjobs.alerts.api.ActionGroupService;
import io.fleetjobs.alerts.api.ExecutionNoticeOutbox;
import io.fleetjobs.alerts.evaluation.AlertEvaluationVerticle;
import io.fleetjobs.alerts.evaluation.AlertEvaluator;
import io.fleetjobs.alerts.notify.DashboardLinks;
import io.fleetjobs.alerts.notify.DeliveryMetrics;
import io.fleetjobs.alerts.notify.EmailNotifier;
import io.fleetjobs.alerts.notify.NotificationDelivery;
import io.fleetjobs.alerts.notify.NotificationDeliveryVerticle;
import io.fleetjobs.alerts.notify.NotificationFactory;
import io.fleetjobs.alerts.notify.RetryPolicy;
import io.fleetjobs.alerts.notify.SsrfGuard;
import io.fleetjobs.alerts.notify.WebhookNotifier;
import io.fleetjobs.alerts.source.MetricSource;
import io.fleetjobs.alerts.store.ActionGroupRepository;
import io.fleetjobs.alerts.store.AlertRepository;
import io.fleetjobs.alerts.store.AlertRuleRepository;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.fleetjobs.alerts.store.ProcessingRuleRepository;
import io.fleetjobs.alerts.store.SecretSealer;
import io.fleetjobs.common.secrets.PlatformSecrets;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The alerts module as the server wires it: rule evaluation and outbox delivery deployed as verticles,
 * and the stores and services the HTTP API calls. The server hands in what alerts may know of it: a
 * pool on the job database, the metric source, its secrets and the engine's finished-target address.
 */
public final class Alerts {
  /** What the server provides; {@code registry} takes the delivery meters and is the server's /metrics. */
  public record Dependencies(Pool pool, AlertsConfig config, MetricSource metrics, Secrets secrets,
                             String finishedAddress, String agentId, MeterRegistry registry) {
  }

  /**
   * How secrets are kept: sealed at rest under the server's master key, or read from the platform (a mounted
   * file, a FLEETJOBS_SECRET_ variable) when they are used, as credentials' passwords are.
   */
  public record Secrets(SecretSealer sealer, PlatformSecrets platform) {
  }

  /** The stores the HTTP API reads and writes, each built once. */
  private record Stores(AlertRuleRepository rules, ActionGroupRepository actionGroups,
                        ProcessingRuleRepository processingRules, AlertRepository alerts, OutboxRepository outbox) {
    static Stores of(Pool pool, Secrets secrets) {
      AlertRepository alerts = new AlertRepository(pool);
      return new Stores(new AlertRuleRepository(pool, alerts),
        new ActionGroupRepository(pool, secrets.sealer(), secrets.platform()),
        new ProcessingRuleRepository(pool), alerts, new OutboxRepository(pool));
    }
  }

  private final Vertx vertx;
  private final List<String> deployments;
  private final NotificationDelivery.Channels channels;
  private final Stores stores;
  private final ActionGroupService actionGroupService;
  private final ExecutionNoticeOutbox executionNotices;

  /** The services the HTTP API and the engine call, beside the stores. */
  private record Services(ActionGroupService actionGroups, ExecutionNoticeOutbox executionNotices) {
  }

  private Alerts(Vertx vertx, List<String> deployments, NotificationDelivery.Channels channels, Stores stores,
                 Services services) {
    this.vertx = vertx;
    this.deployments = deployments;
    this.channels = channels;
    this.stores = stores;
    this.actionGroupService = services.actionGroups();
    this.executionNotices = services.executionNotices();
  }

  public static Future<Alerts> deploy(Vertx vertx, Dependencies dependencies) {
    AlertsConfig config = dependencies.config();
    Clock clock = Clock.systemUTC();
    Stores stores = Stores.of(dependencies.pool(), dependencies.secrets());
    SsrfGuard guard = SsrfGuard.parse(config.webhookAllow());
    RetryPolicy retries = config.retryDelays() == null
      ? RetryPolicy.standard()
      : new RetryPolicy(config.retryDelays(), 0.2);
    NotificationDelivery.Channels channels = new NotificationDelivery.Channels(
      new WebhookNotifier(vertx, guard, config.attemptTimeout(), clock),
      new EmailNotifier(vertx, config.smtp(), dependencies.secrets().platform(), config.attemptTimeout()),
      retries);
    DeliveryMetrics deliveryMetrics = new DeliveryMetrics(dependencies.registry());
    NotificationDelivery delivery = new NotificationDelivery(stores.outbox(), stores.actionGroups(), channels, clock,
      dependencies.agentId(), deliveryMetrics);
    NotificationFactory notifications = new NotificationFactory(new DashboardLinks(config.publicUrl()));
    AlertEvaluator evaluator = new AlertEvaluator(new AlertEvaluator.Dependencies(dependencies.pool(), stores.alerts(),
      stores.actionGroups(), stores.outbox(), dependencies.metrics(), notifications, retries.maxAttempts(),
      pause -> vertx.eventBus().publish(AlertsAddresses.RULE_PAUSES, pause.toJson()),
      () -> vertx.eventBus().publish(AlertsAddresses.NOTIFICATIONS_WAKE, null)));
    ActionGroupService service = new ActionGroupService(vertx, dependencies.pool(), stores.actionGroups(),
      new ActionGroupService.Delivery(stores.outbox(), notifications, delivery, guard), clock, dependencies.agentId());
    ExecutionNoticeOutbox executionNotices = new ExecutionNoticeOutbox(new ExecutionNoticeOutbox.Parts(
      stores.actionGroups(), stores.outbox(), notifications, retries.maxAttempts()), vertx.eventBus(), clock);

    List<String> ids = Collections.synchronizedList(new ArrayList<>());
    // A password file that cannot be read stops the start, as a wrong setting does; it is read again at each use.
    return channels.mail().checkPassword()
      .compose(checked -> vertx.deployVerticle(new NotificationDeliveryVerticle(
        new NotificationDeliveryVerticle.Dependencies(stores.outbox(), delivery, dependencies.agentId(),
          config.deliveryLease(), deliveryMetrics))))
      .onSuccess(ids::add)
      .compose(id -> vertx.deployVerticle(new AlertEvaluationVerticle(new AlertEvaluationVerticle.Dependencies(
        evaluator, stores.rules(), stores.processingRules(), dependencies.finishedAddress(), config.evaluationTick(),
        clock))))
      .onSuccess(ids::add)
      .map(id -> new Alerts(vertx, ids, channels, stores, new Services(service, executionNotices)))
      .onFailure(e -> {
        ids.forEach(vertx::undeploy);
        channels.webhooks().close();
        channels.mail().close();
      });
  }

  public Future<Void> stop() {
    List<String> newestFirst = new ArrayList<>(deployments);
    Collections.reverse(newestFirst);
    Future<Void> undeployed = Future.succeededFuture();
    for (String id : newestFirst) {
      undeployed = undeployed.eventually(() -> vertx.undeploy(id));
    }
    return undeployed
      .eventually(() -> channels.webhooks().close())
      .eventually(() -> channels.mail().close());
  }

  public AlertRuleRepository rules() {
    return stores.rules();
  }

  public ActionGroupRepository actionGroups() {
    return stores.actionGroups();
  }

  public ActionGroupService actionGroupService() {
    return actionGroupService;
  }

  public ExecutionNoticeOutbox executionNotices() {
    return executionNotices;
  }

  public ProcessingRuleRepository processingRules() {
    return stores.processingRules();
  }

  public AlertRepository alerts() {
    return stores.alerts();
  }

  public OutboxRepository outbox() {
    return stores.outbox();
  }
}
