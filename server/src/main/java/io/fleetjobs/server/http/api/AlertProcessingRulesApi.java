package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.alerts.store.ProcessingRuleRepository;
import io.fleetjobs.alerts.suppress.ProcessingRule;
import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /alertProcessingRules: maintenance windows that drop or defer notifications. */
public final class AlertProcessingRulesApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of());
  private final ProcessingRuleRepository rules;

  public AlertProcessingRulesApi(ProcessingRuleRepository rules) {
    this.rules = rules;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("listAlertProcessingRules").addHandler(Endpoint.of(FIELDS,
      ctx -> Endpoint.paged(ctx, rules::list, ProcessingRule::toJson)));
    builder.getRoute("getAlertProcessingRule").addHandler(Endpoint.of(FIELDS,
      ctx -> rules.get(pathParam(ctx, "name")).map(rule -> Reply.ok(rule.toJson()))));
    builder.getRoute("putAlertProcessingRule").addHandler(Endpoint.of(FIELDS, this::put));
    builder.getRoute("deleteAlertProcessingRule").addHandler(Endpoint.of(FIELDS,
      ctx -> rules.delete(pathParam(ctx, "name")).map(done -> Reply.noContent())));
  }

  private Future<Reply> put(RoutingContext ctx) {
    ProcessingRule rule = ProcessingRule.fromJson(pathParam(ctx, "name"), Endpoint.body(ctx));
    return rules.save(rule).map(created -> Reply.saved(created, rule.toJson()));
  }
}
