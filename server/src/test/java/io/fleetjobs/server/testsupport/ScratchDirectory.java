package io.fleetjobs.server.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A temporary directory for a scratch PostgreSQL server's data, removed with {@code rm -rf}. The embedded server's
 * own clean-up walks the files one by one in Java: for a fleet of a hundred databases (40,000 files) that took
 * longer than the tests that used them on a busy machine, and several times what {@code rm} takes.
 */
public final class ScratchDirectory {
  private ScratchDirectory() {
  }

  public static Path create(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void delete(Path directory) {
    try {
      Process rm = new ProcessBuilder("rm", "-rf", "--", directory.toString()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
      if (rm.waitFor() == 0 && !Files.exists(directory)) {
        return;
      }
    } catch (IOException e) {
      // No rm here: the walk below removes it.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    walkAndDelete(directory);
  }

  private static void walkAndDelete(Path directory) {
    try {
      Files.walkFileTree(directory, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
          Files.delete(file);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path visited, IOException failure) throws IOException {
          Files.delete(visited);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
