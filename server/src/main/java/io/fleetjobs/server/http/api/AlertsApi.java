package io.fleetjobs.server.http.api;

import io.fleetjobs.alerts.store.AlertRepository;
import io.fleetjobs.alerts.store.OutboxRepository;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.MaskedUrls;
import io.fleetjobs.server.http.Reply;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/** /alerts: fired and resolved alert instances, and the delivery log of their notifications, with replay. */
public final class AlertsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final AlertRepository alerts;
  private final OutboxRepository outbox;

  public AlertsApi(AlertRepository alerts, OutboxRepository outbox) {
    this.alerts = alerts;
    this.outbox = outbox;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listAlerts").addHandler(masked(ctx -> page(ctx, (limit, skip) -> alerts.list(
      new AlertRepository.Filter(Endpoint.queryString(ctx, "alertRule"), Endpoint.queryString(ctx, "monitorCondition"),
        Endpoint.queryTime(ctx, "startTime"), Endpoint.queryTime(ctx, "endTime")), limit, skip))));
    builder.getRoute("getAlert").addHandler(masked(ctx -> alerts.get(alertId(ctx)).map(Reply::ok)));
    builder.getRoute("listAlertNotifications").addHandler(masked(ctx -> {
      UUID id = alertId(ctx);
      return alerts.get(id).compose(found -> page(ctx, (limit, skip) -> outbox.ofAlert(id, limit, skip)));
    }));
    builder.getRoute("listNotifications").addHandler(masked(
      ctx -> {
        String execution = Endpoint.queryString(ctx, "jobExecutionId");
        UUID executionId = execution == null ? null : uuid(execution, "jobExecutionId", "a job execution id");
        return page(ctx, (limit, skip) -> outbox.list(Endpoint.queryString(ctx, "status"), executionId, limit, skip));
      }));
    builder.getRoute("getNotification").addHandler(masked(ctx -> outbox.get(notificationId(ctx)).map(Reply::ok)));
    builder.getRoute("replayNotification").addHandler(masked(
      ctx -> outbox.replay(notificationId(ctx)).map(row -> new Reply(202, row, null))));
  }

  /** The delivery log shows each webhook's URL, whose secrets only admins see. */
  private static Handler<RoutingContext> masked(Function<RoutingContext, Future<Reply>> handler) {
    return Endpoint.of(FIELDS, ctx -> handler.apply(ctx).map(reply -> MaskedUrls.forCaller(ctx, reply)));
  }

  private static Future<Reply> page(RoutingContext ctx, BiFunction<Integer, Integer, Future<List<JsonObject>>> read) {
    return Endpoint.paged(ctx, read, row -> row);
  }

  private static UUID uuid(String text, String field, String what) {
    try {
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(field, "'" + text + "' is not " + what + " (a UUID).");
    }
  }

  private static UUID alertId(RoutingContext ctx) {
    return Endpoint.pathUuid(ctx, "id", "an alert id");
  }

  private static UUID notificationId(RoutingContext ctx) {
    return Endpoint.pathUuid(ctx, "id", "a notification id");
  }
}
