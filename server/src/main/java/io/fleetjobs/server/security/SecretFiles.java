package io.fleetjobs.server.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/** Secrets the agent generates for itself, kept in owner-only (0600) files in its data directory. Blocking. */
public final class SecretFiles {
  private SecretFiles() {
  }

  /**
   * Reads the file, or creates it with the supplied value. The value is written to a private temporary
   * file and moved into place atomically, so a crash or a racing process never sees a half-written secret.
   */
  public static String readOrCreate(Path file, Supplier<String> newValue) throws IOException {
    Files.createDirectories(file.getParent());
    if (!Files.exists(file)) {
      Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try {
        Files.writeString(temp, newValue.get() + "\n", StandardCharsets.US_ASCII);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException raced) {
        // Another process created it first; read theirs below.
      } finally {
        Files.deleteIfExists(temp);
      }
    }
    return Files.readString(file, StandardCharsets.US_ASCII).trim();
  }
}
