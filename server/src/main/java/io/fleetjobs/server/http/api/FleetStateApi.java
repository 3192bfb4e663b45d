package io.fleetjobs.server.http.api;

import static io.fleetjobs.server.http.Endpoint.pathParam;

import io.fleetjobs.server.http.Endpoint;
import io.fleetjobs.server.http.FieldNames;
import io.fleetjobs.server.http.Reply;
import io.fleetjobs.server.jobs.JobStep;
import io.fleetjobs.server.jobs.fleet.FleetFilter;
import io.fleetjobs.server.jobs.fleet.FleetSort;
import io.fleetjobs.server.jobs.fleet.FleetState;
import io.fleetjobs.server.jobs.fleet.FleetStateReader;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import java.util.Map;

/** /jobs/{name}/fleetState: "who is behind", a page at a time, with the counts of every state. */
public final class FleetStateApi {
  private static final FieldNames FIELDS = FieldNames.of(Map.of("job_name", "name"));

  private final FleetStateReader reader;

  public FleetStateApi(FleetStateReader reader) {
    this.reader = reader;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("getFleetState").addHandler(Endpoint.of(FIELDS, this::fleetState));
  }

  private Future<Reply> fleetState(RoutingContext ctx) {
    int top = Endpoint.top(ctx);
    int skip = Endpoint.skip(ctx);
    FleetFilter filter = new FleetFilter(TargetQuery.list(ctx, "state", FleetState::of), TargetQuery.search(ctx),
      FleetSort.of(Endpoint.queryString(ctx, "sort")), top, skip);
    return reader.read(pathParam(ctx, "name"), filter)
      .map(result -> {
        int version = result.job().version();
        Reply reply = Reply.counted(ctx, result.fleet().page().map(database -> database.toJson(version)), top, skip,
          result.fleet().matching());
        reply.body()
          .put("jobName", result.job().name())
          .put("currentVersion", version)
          .put("steps", new JsonArray(result.steps().stream().map(JobStep::name).toList()))
          .put("counts", result.fleet().countsJson())
          .put("memberErrors", result.memberErrors());
        return reply;
      });
  }
}
