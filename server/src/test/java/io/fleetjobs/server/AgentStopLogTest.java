package io.fleetjobs.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.Executions;
import io.fleetjobs.server.testsupport.TargetServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** What SIGTERM and Ctrl-C leave in the log: the stop, and how many running targets were handed back. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AgentStopLogTest {

  @Test
  void a_stop_is_logged_when_it_begins_and_ends_with_the_attempts_handed_back(Vertx vertx) {
    TargetServer server = TargetServer.start();
    server.createDatabases("stop_log_a", "stop_log_b");
    Logger agentLog = (Logger) LoggerFactory.getLogger(Agent.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    try {
      AgentFixture agent = AgentFixture.start(vertx, "agent_stop_log");
      agent.admin().put("/credentials/job", new JsonObject().put("username", "postgres").put("password", "x"));
      JsonArray members = new JsonArray();
      for (String database : List.of("stop_log_a", "stop_log_b")) {
        members.add(new JsonObject().put("type", "SqlDatabase").put("serverName", server.serverName())
          .put("databaseName", database));
      }
      agent.admin().put("/targetGroups/two", new JsonObject().put("members", members));
      agent.admin().put("/jobs/long", new JsonObject());
      agent.admin().put("/jobs/long/steps/s", new JsonObject().put("targetGroup", "two").put("credential", "job")
        .put("action", new JsonObject().put("value", "SELECT pg_sleep(60)")));
      Executions executions = new Executions(agent.admin());
      String id = executions.start("long");
      executions.awaitExecution("long", id, execution -> executions.targets("long", id).stream()
        .filter(target -> target.getString("lifecycle").equals("InProgress")).count() == 2, Duration.ofSeconds(30));

      agentLog.addAppender(logged);
      agent.close();
    } finally {
      agentLog.detachAppender(logged);
      server.close();
    }
    List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(lines.get(0).startsWith("Stopping the fleetjobs agent"), lines.get(0));
    assertEquals("fleetjobs agent stopped; 2 target attempts handed back unspent", lines.get(1));
  }
}
