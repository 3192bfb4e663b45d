package io.fleetjobs.server.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** /health/live answers while the process serves; /health/ready only while the job database answers too. */
public final class HealthRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(HealthRoutes.class);
  private static final long DATABASE_TIMEOUT_MS = 2000;

  private HealthRoutes() {
  }

  public static void mount(Router router, Pool pool) {
    router.get("/health/live").handler(ctx -> ctx.json(new JsonObject().put("status", "UP")));
    router.get("/health/ready").handler(ctx -> pool.query("SELECT 1").execute()
      .timeout(DATABASE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .onSuccess(rows -> ctx.json(new JsonObject().put("status", "UP").put("jobDatabase", "UP")))
      .onFailure(e -> {
        // The reason goes to the log: this endpoint answers anyone.
        LOG.warn("Not ready: the job database does not answer: {}", e.getMessage());
        ctx.response()
          .setStatusCode(503)
          .putHeader("Content-Type", "application/json")
          .end(new JsonObject().put("status", "DOWN").put("jobDatabase", "DOWN").encode());
      }));
  }
}
