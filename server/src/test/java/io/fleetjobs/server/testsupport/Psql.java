package io.fleetjobs.server.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The system's psql, as a DBA runs it: no psqlrc, stop at the first error, notices and errors shown. It is never
 * downloaded: on Debian, apt-get install postgresql-client (.ci/run installs it). PSQL points elsewhere.
 */
public final class Psql {
  private static final String MISSING = "no psql (apt-get install postgresql-client, or set PSQL)";
  private static final long PATIENCE_SECONDS = 60;
  private final Path executable;
  private final List<String> variables = new ArrayList<>();
  private List<String> connection = List.of();

  private Psql(Path executable) {
    this.executable = executable;
  }

  /** The system's psql; without one the calling test is skipped, with the reason, except in CI where it fails. */
  public static Psql requireOrSkip() {
    Optional<Path> found = find();
    if (found.isEmpty()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("psql is required in CI; .ci/run installs it: " + MISSING);
      }
      Assumptions.abort("psql tests skipped: " + MISSING);
    }
    return new Psql(found.get());
  }

  private static Optional<Path> find() {
    String set = System.getenv("PSQL");
    if (set != null && !set.isBlank()) {
      return Optional.of(Path.of(set)).filter(Files::isExecutable);
    }
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
      .filter(dir -> !dir.isBlank())
      .map(dir -> Path.of(dir, "psql"))
      .filter(Files::isExecutable)
      .findFirst();
  }

  /** Connects to the database on localhost as the login (the test servers trust local connections). */
  public void connectAs(int port, String database, String login) {
    connection = List.of("-h", "localhost", "-p", Integer.toString(port), "-U", login, "-d", database);
  }

  /** Sets a psql variable (-v name=value), which scripts read as :'name'. */
  public void define(String name, String value) {
    variables.add("-v");
    variables.add(name + "=" + value);
  }

  /** Runs the script and returns what psql printed; fails the test if psql stopped at an error. */
  public String run(String script) {
    Result result = execute(script);
    assertTrue(result.exitCode == 0, "psql stopped (exit " + result.exitCode + "):\n" + result.output);
    return result.output;
  }

  /** Runs a script that must fail, and returns what psql printed. */
  public String runFailing(String script) {
    Result result = execute(script);
    assertTrue(result.exitCode != 0, "psql should have stopped at an error:\n" + result.output);
    return result.output;
  }

  private record Result(int exitCode, String output) {
  }

  private Result execute(String script) {
    List<String> command = new ArrayList<>(List.of(executable.toString(), "-X", "-v", "ON_ERROR_STOP=1"));
    command.addAll(connection);
    command.addAll(variables);
    command.addAll(List.of("-f", "-"));
    try {
      Process psql = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (OutputStream in = psql.getOutputStream()) {
        in.write(script.getBytes(StandardCharsets.UTF_8));
      }
      byte[] printed = psql.getInputStream().readAllBytes();
      if (!psql.waitFor(PATIENCE_SECONDS, TimeUnit.SECONDS)) {
        psql.destroyForcibly();
        fail("psql did not finish within " + PATIENCE_SECONDS + " s");
      }
      String output = new String(printed, StandardCharsets.UTF_8);
      System.out.println("psql " + String.join(" ", connection) + "\n" + output);
      return new Result(psql.exitValue(), output);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
