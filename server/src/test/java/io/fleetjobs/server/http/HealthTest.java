package io.fleetjobs.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.testsupport.AgentFixture;
import io.fleetjobs.server.testsupport.ApiClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class HealthTest {

  @Test
  void ready_follows_the_job_database_and_live_does_not(Vertx vertx) throws Exception {
    // A job database of this test's own, so it can be taken away.
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
    Agent agent = Agent.start(vertx, AgentConfig.fromJson(AgentFixture.config("postgres")
      .put("dbUrl", "postgresql://postgres@localhost:" + postgres.getPort() + "/postgres"))).await();
    try {
      ApiClient client = ApiClient.create(vertx, agent.httpPort(), null);
      assertEquals(200, client.raw(HttpMethod.GET, "/health/ready", null).statusCode());

      postgres.close();
      HttpResponse<Buffer> ready = client.raw(HttpMethod.GET, "/health/ready", null);
      assertEquals(503, ready.statusCode());
      assertEquals("DOWN", ready.bodyAsJsonObject().getString("status"));
      assertEquals("DOWN", ready.bodyAsJsonObject().getString("jobDatabase"), "no internal error text for anyone");
      assertEquals(200, client.raw(HttpMethod.GET, "/health/live", null).statusCode());
    } finally {
      agent.stop().await();
    }
  }
}
