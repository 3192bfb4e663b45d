package io.fleetjobs.server.http.api;

import io.fleetjobs.server.http.BearerTokenHandler;
import io.fleetjobs.server.live.LiveFeed;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.openapi.router.RouterBuilder;

/** /events: the live feed as server-sent events, for pages that update without polling. */
public final class EventsApi {
  private final LiveFeed feed;

  public EventsApi(LiveFeed feed) {
    this.feed = feed;
  }

  public void mount(RouterBuilder builder) {
    builder.getRoute("streamEvents").addHandler(ctx -> {
      HttpServerResponse response = ctx.response()
        .setChunked(true)
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        // Compression would hold events back until its buffer fills.
        .putHeader(HttpHeaders.CONTENT_ENCODING, HttpHeaders.IDENTITY);
      // A client that lost the stream waits this long before it connects again.
      response.write("retry: 5000\n\n");
      feed.subscribe(response, BearerTokenHandler.callerHash(ctx));
    });
  }
}
