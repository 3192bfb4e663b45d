package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.notices.ExecutionNotification;
import io.fleetjobs.server.jobs.notices.ExecutionNotificationRepository;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /executionNotifications: which action groups hear when which jobs' executions end or pause. */
public final class ExecutionNotificationsApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final ExecutionNotificationRepository notifications;

  public ExecutionNotificationsApi(ExecutionNotificationRepository notifications) {
    this.notifications = notifications;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listExecutionNotifications").addHandler(Endpoint.of(FIELDS,
      ctx -> Endpoint.paged(ctx, notifications::list, ExecutionNotification::toJson)));
    builder.getRoute("getExecutionNotification").addHandler(Endpoint.of(FIELDS,
      ctx -> notifications.get(pathParam(ctx, "name")).map(found -> Reply.ok(found.toJson()))));
    builder.getRoute("putExecutionNotification").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteExecutionNotification").addHandler(Endpoint.of(FIELDS,
      ctx -> notifications.delete(pathParam(ctx, "name")).map(done -> Reply.noContent())));
  }

  private Future<Reply> put(RoutingContext ctx) {
    ExecutionNotification notification = ExecutionNotification.fromJson(pathParam(ctx, "name"), Endpoint.body(ctx));
    return notifications.save(notification).map(created -> Reply.saved(created, notification.toJson()));
  }
}
