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
 *
 * <p>It is made in memory, in /dev/shm, where that has room: each CREATE DATABASE copies its template's files, and
 * on a disk shared with other builds a hundred of them took three times as long (9 s, not 3). A small /dev/shm, as
 * in a container by default, is left alone.
 */
public final class ScratchDirectory {
  private static final Path MEMORY = Path.of("/dev/shm");
  /** A fleet of 300 databases takes about 2.3 GB. */
  private static final long MEMORY_NEEDED = 6L << 30;

  private ScratchDirectory() {
  }

  public static Path create(String prefix) {
    try {
      return inMemory() ? Files.createTempDirectory(MEMORY, prefix) : Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean inMemory() {
    try {
      return Files.isDirectory(MEMORY) && Files.isWritable(MEMORY)
        && Files.getFileStore(MEMORY).getUsableSpace() >= MEMORY_NEEDED;
    } catch (IOException e) {
      return false;
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
