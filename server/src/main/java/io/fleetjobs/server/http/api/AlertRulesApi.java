package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.alerts.rules.AlertRule;
import io.fleetjobs.alerts.store.AlertRuleRepository;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /alertRules: metric alert rules on the three elastic_jobs_* metrics. */
public final class AlertRulesApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final AlertRuleRepository rules;

  public AlertRulesApi(AlertRuleRepository rules) {
    this.rules = rules;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listAlertRules").addHandler(Endpoint.of(FIELDS,
      ctx -> Endpoint.paged(ctx, rules::list, AlertRule::toJson)));
    builder.getRoute("getAlertRule").addHandler(Endpoint.of(FIELDS, ctx -> rules.get(pathParam(ctx, "name"))
      .map(rule -> Reply.ok(rule.toJson()))));
    builder.getRoute("putAlertRule").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteAlertRule").addHandler(Endpoint.of(FIELDS, ctx -> rules.delete(pathParam(ctx, "name"))
      .map(done -> Reply.noContent())));
  }

  private Future<Reply> put(RoutingContext ctx) {
    AlertRule rule = AlertRule.fromJson(pathParam(ctx, "name"), Endpoint.body(ctx));
    return rules.save(rule).map(created -> Reply.saved(created, rule.toJson()));
  }
}
