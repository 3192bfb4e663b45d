package io.fleetjobs.server.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One initdb per test JVM: a test's own PostgreSQL server starts from a copy of a cluster initialized once. On a
 * loaded two-core machine initdb took 10 to 17 s of every server's start, and the copy takes under a second.
 * Settings such as fsync are given when the server starts, not at initdb, so every server may share the copy.
 */
public final class InitializedCluster {
  private static Path template;

  private InitializedCluster() {
  }

  /** Fills {@code dataDirectory}, which is missing or empty, with a fresh cluster that has never run. */
  public static void copyTo(Path dataDirectory) {
    Path source = template();
    try {
      Files.createDirectories(dataDirectory);
      Process copy = new ProcessBuilder("cp", "-a", "--", source + "/.", dataDirectory.toString())
        .redirectErrorStream(true)
        .start();
      String output = new String(copy.getInputStream().readAllBytes());
      if (copy.waitFor() != 0) {
        throw new IllegalStateException("Could not copy the initialized cluster to " + dataDirectory + ": " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static synchronized Path template() {
    if (template == null) {
      Path directory = ScratchDirectory.create("fleetjobs-cluster-");
      Path data = directory.resolve("data");
      try {
        EmbeddedPostgres.builder()
          .setDataDirectory(data)
          .setCleanDataDirectory(false)
          .start()
          .close();
      } catch (IOException e) {
        ScratchDirectory.delete(directory);
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> ScratchDirectory.delete(directory)));
      template = data;
    }
    return template;
  }
}
