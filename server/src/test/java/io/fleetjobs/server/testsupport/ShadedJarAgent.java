package io.fleetjobs.server.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The shaded jar as a user runs it: {@code java -jar target/fleetjobs.jar} in an empty directory, on its embedded
 * default job database, on a free port of 127.0.0.1. Its stdout is kept line by line, for the test to wait on.
 * Closing it stops the agent with SIGTERM, as a service manager does, and checks that it stops.
 */
public final class ShadedJarAgent implements AutoCloseable {
  private final Path workDir;
  private final int port;
  private final Process process;
  private final Thread reader;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();

  private ShadedJarAgent(Path workDir, int port, Process process) {
    this.workDir = workDir;
    this.port = port;
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8))) {
        out.lines().forEach(line -> {
          lines.add(line);
          unread.add(line);
        });
      } catch (Exception ignored) {
        // The process ended.
      }
    });
  }

  /**
   * @param workDirPrefix names the empty directory it runs in
   * @param stderrApart true: stderr goes to stderr.txt in that directory, so that stdout holds the logs alone;
   *     false: stderr joins stdout
   * @param environment set on top of the port and host
   */
  public static ShadedJarAgent start(String workDirPrefix, boolean stderrApart, Map<String, String> environment)
    throws IOException {
    Path jar = Path.of("target", "fleetjobs.jar").toAbsolutePath();
    assertTrue(Files.exists(jar), "package builds " + jar);
    Path workDir = Files.createTempDirectory(workDirPrefix);
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ProcessBuilder command = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-jar", jar.toString())
      .directory(workDir.toFile());
    if (stderrApart) {
      command.redirectError(workDir.resolve("stderr.txt").toFile());
    } else {
      command.redirectErrorStream(true);
    }
    command.environment().put("FLEETJOBS_HTTP_PORT", Integer.toString(port));
    command.environment().put("FLEETJOBS_HTTP_HOST", "127.0.0.1");
    command.environment().putAll(environment);
    ShadedJarAgent agent = new ShadedJarAgent(workDir, port, command.start());
    agent.reader.start();
    return agent;
  }

  public Path workDir() {
    return workDir;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  /** Every line it has written so far. */
  public List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * The next line not yet looked at that is wanted, skipping the others; empty when none came within the patience
   * or the agent ended first.
   */
  public Optional<String> awaitLine(Predicate<String> wanted, Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline && (process.isAlive() || !unread.isEmpty())) {
      String line = unread.poll(200, TimeUnit.MILLISECONDS);
      if (line != null && wanted.test(line)) {
        return Optional.of(line);
      }
    }
    return Optional.empty();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the agent stops on SIGTERM");
    reader.join(5000);
  }
}
