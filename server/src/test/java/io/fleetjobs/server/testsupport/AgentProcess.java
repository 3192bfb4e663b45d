package io.fleetjobs.server.testsupport;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An agent in a JVM of its own, started from the test's classpath as `java io.fleetjobs.server.Main` would be,
 * configured through FLEETJOBS_* variables: what a test needs to kill, pause or stop an agent for real.
 */
public final class AgentProcess implements AutoCloseable {
  private static final Pattern API = Pattern.compile("API:\\s+http://localhost:(\\d+)/api/v1");
  private final Process process;
  private final Path log;
  private final int port;

  private AgentProcess(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /** Starts the agent and waits until it prints where its API is. */
  public static AgentProcess start(Map<String, String> environment, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // C1 only and the serial collector: a test agent's JVM spends about 40 % less CPU getting to its API line, which
    // counts when three of them start at once on two cores; what the tests check does not depend on the JIT.
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
      "-cp", System.getProperty("java.class.path"), "io.fleetjobs.server.Main");
    builder.environment().putAll(environment);
    Process process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new AgentProcess(process, log, awaitPort(process, log));
  }

  private static int awaitPort(Process process, Path log) throws Exception {
    // Generous: on a loaded 2-core machine a JVM with the whole classpath took more than 90 s to start.
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      File file = log.toFile();
      if (file.exists()) {
        Matcher port = API.matcher(Files.readString(log));
        if (port.find()) {
          return Integer.parseInt(port.group(1));
        }
      }
      Executions.sleep(100);
    }
    throw new AssertionError("The agent process did not start:\n" + Files.readString(log));
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** Whether a lease owner or an agent id (pid@host/uuid) is this process's. */
  public boolean owns(String agentId) {
    return agentId != null && agentId.startsWith(pid() + "@");
  }

  public String log() throws Exception {
    return Files.readString(log);
  }

  /** SIGKILL: the agent gets no chance to hand anything back. */
  public void kill() throws Exception {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM: a clean stop, as a container platform's rolling restart sends. */
  public void terminate() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new AssertionError("The agent did not stop within a minute of SIGTERM:\n" + log());
    }
  }

  /** SIGSTOP: the process freezes, its leases run out, and it does not know. */
  public void pause() throws Exception {
    signal("STOP");
  }

  /** SIGCONT: the frozen process goes on where it was, with leases it no longer holds. */
  public void resume() throws Exception {
    signal("CONT");
  }

  private void signal(String name) throws Exception {
    int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(pid())).inheritIO().start().waitFor();
    if (exit != 0) {
      throw new AssertionError("kill -" + name + " " + pid() + " failed");
    }
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      signal("CONT");
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }
}
