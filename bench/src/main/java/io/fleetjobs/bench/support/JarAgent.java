package io.fleetjobs.bench.support;

import io.fleetjobs.server.config.Tier;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * An agent in a process of its own, from a fat jar (this build's, or an older one's), configured by the
 * FLEETJOBS_* variables as a user starts it, on a job database the bench made, and driven by its API.
 */
public final class JarAgent implements AutoCloseable {
  private static final long READY_MINUTES = 2;
  private final Process process;
  private final Vertx vertx;
  private final AgentApi api;

  private JarAgent(Process process, Vertx vertx, AgentApi api) {
    this.process = process;
    this.vertx = vertx;
    this.api = api;
  }

  /** Starts {@code java <flags> -jar <jar>} and waits until it answers /health/ready; its log goes to logDir. */
  public static JarAgent start(Path jar, List<String> jvmFlags, String jobDatabaseUrl, Tier tier, Path logDir)
    throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build it first (mvn -DskipTests package)");
    }
    int port = FreePorts.next();
    List<String> command = new ArrayList<>(List.of("java"));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
      .redirectOutput(logDir.resolve("agent.log").toFile());
    builder.environment().putAll(Map.of("FLEETJOBS_DB_URL", jobDatabaseUrl,
      "FLEETJOBS_HTTP_HOST", "127.0.0.1", "FLEETJOBS_HTTP_PORT", String.valueOf(port), "FLEETJOBS_TIER", tier.name(),
      "FLEETJOBS_BOOTSTRAP_ADMIN_TOKEN", AgentApi.TOKEN, "FLEETJOBS_MASTER_KEY", BenchAgent.masterKey(),
      "FLEETJOBS_DATA_DIR", logDir.toString()));
    Process process = builder.start();
    Vertx vertx = Vertx.vertx();
    try {
      awaitReady(vertx, port, process);
      return new JarAgent(process, vertx, AgentApi.connect(vertx, port));
    } catch (Exception | Error e) {
      stop(process);
      vertx.close().await();
      throw e;
    }
  }

  public AgentApi api() {
    return api;
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    api.close();
    stop(process);
    vertx.close().await();
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }

  private static void awaitReady(Vertx vertx, int port, Process agent) throws InterruptedException {
    WebClient http = WebClient.create(vertx);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(READY_MINUTES);
    try {
      while (System.nanoTime() < deadline) {
        if (!agent.isAlive()) {
          throw new IllegalStateException("The agent exited with " + agent.exitValue());
        }
        try {
          if (http.get(port, "127.0.0.1", "/health/ready").send().await().statusCode() == 200) {
            return;
          }
        } catch (Exception notYet) {
          // not listening yet
        }
        Thread.sleep(250);
      }
      throw new IllegalStateException("The agent was not ready within " + READY_MINUTES + " minutes");
    } finally {
      http.close();
    }
  }
}
