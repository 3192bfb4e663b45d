package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.read.ListAppender;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * A group of 10,000 members saved twice and read back, and a job over it: the body's validation and the reply's
 * encoding, the fleet state and the targets preview run on workers, so no event loop is held while they do (the
 * fleet state once held one for 2.7 s). The agent runs on a Vert.x that
 * warns of any event-loop task longer than half a second, on a cold JIT, as a first visit after a start is.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LargeGroupEventLoopTest {
  private static final int MEMBERS = 10_000;
  private static final String CHECKER = "io.vertx.core.impl.BlockedThreadChecker";

  @Test
  void saving_reading_and_expanding_10000_members_never_block_an_event_loop() {
    Vertx vertx = Vertx.vertx(new VertxOptions()
      .setMaxEventLoopExecuteTime(500).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setBlockedThreadCheckInterval(50).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
      // With the stack of where it was held, so a failure names the code to move.
      .setWarningExceptionTime(500).setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS));
    Logger checker = (Logger) LoggerFactory.getLogger(CHECKER);
    ListAppender<ILoggingEvent> warnings = new ListAppender<>();
    warnings.start();
    AgentFixture agent = AgentFixture.start(vertx, "large_group_loop");
    try {
      agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
      JsonArray members = new JsonArray();
      for (int i = 0; i < MEMBERS; i++) {
        members.add(new JsonObject().put("type", "SqlDatabase").put("serverName", "10.20.0." + (i % 10 + 1) + ":5432")
          .put("databaseName", String.format("tenant_%05d", i)));
      }
      checker.addAppender(warnings);
      assertEquals(201, agent.admin().put("/targetGroups/tenants", new JsonObject().put("members", members))
        .statusCode());
      // Unchanged, then read back: the same 10,000 members checked, stored and encoded again.
      assertEquals(200, agent.admin().put("/targetGroups/tenants", new JsonObject().put("members", members))
        .statusCode());
      assertEquals(MEMBERS, agent.admin().get("/targetGroups/tenants").bodyAsJsonObject().getJsonArray("members")
        .size());
      agent.admin().put("/jobs/migrate", new JsonObject());
      agent.admin().put("/jobs/migrate/steps/migrate", new JsonObject().put("targetGroup", "tenants")
        .put("credential", "job").put("action", new JsonObject().put("value", "SELECT 1")));

      JsonObject fleet = agent.admin().get("/jobs/migrate/fleetState?$top=100").bodyAsJsonObject();
      assertEquals(MEMBERS, fleet.getJsonObject("counts").getInteger("behind"), fleet.encode());
      JsonObject preview = agent.admin().get("/jobs/migrate/targets/preview").bodyAsJsonObject();
      assertEquals(MEMBERS, preview.getJsonArray("value").getJsonObject(0).getJsonArray("targets").size());
      checker.detachAppender(warnings);
    } finally {
      checker.detachAppender(warnings);
      agent.close();
      vertx.close().await();
    }
    List<String> blocked = warnings.list.stream()
      .map(event -> event.getFormattedMessage() + (event.getThrowableProxy() == null ? "" : " at "
        + Arrays.stream(event.getThrowableProxy().getStackTraceElementProxyArray())
          .map(StackTraceElementProxy::getSTEAsString)
          .filter(frame -> frame.contains("io.fleetjobs"))
          .limit(3)
          .toList()))
      .toList();
    assertTrue(blocked.isEmpty(), blocked.toString());
  }
}
