package io.fleetjobs.bench.support;

import io.fleetjobs.server.Agent;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.config.Tier;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;

/** The whole agent, started in this JVM on a fresh job database with the tier asked for, driven by its API. */
public final class BenchAgent implements AutoCloseable {
  private final Agent agent;
  private final AgentApi api;

  private BenchAgent(Agent agent, AgentApi api) {
    this.agent = agent;
    this.api = api;
  }

  /** @param settings more agent settings (AgentConfig's JSON names), or an empty object */
  public static BenchAgent start(Vertx vertx, String jobDatabaseUrl, Tier tier, JsonObject settings) {
    return start(vertx, configuration(jobDatabaseUrl, tier).mergeIn(settings));
  }

  /** An agent with this whole configuration; agents sharing a job database share its master key too. */
  public static BenchAgent start(Vertx vertx, JsonObject configuration) {
    Agent agent = Agent.start(vertx, AgentConfig.fromJson(configuration)).await();
    return new BenchAgent(agent, AgentApi.connect(vertx, agent.httpPort()));
  }

  /** What any bench agent gets: loopback HTTP on a free port, a fresh master key, the bench's admin token. */
  public static JsonObject configuration(String jobDatabaseUrl, Tier tier) {
    return new JsonObject()
      .put("httpHost", "127.0.0.1").put("httpPort", 0)
      .put("dbUrl", jobDatabaseUrl)
      .put("masterKey", masterKey())
      .put("bootstrapAdminToken", AgentApi.TOKEN)
      .put("tier", tier.name());
  }

  public static String masterKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  public AgentApi api() {
    return api;
  }

  @Override
  public void close() {
    agent.stop().await();
    api.close();
  }
}
