package io.fleetjobs.server.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** The 256-bit key that seals stored secrets. Its text form is base64 (or 64 hex digits). */
public final class MasterKey {
  private static final int KEY_BYTES = 32;
  private final SecretKey aesKey;

  private MasterKey(byte[] key) {
    this.aesKey = new SecretKeySpec(key, "AES");
  }

  public static MasterKey parse(String text) {
    String trimmed = text.trim();
    byte[] key;
    if (trimmed.matches("[0-9a-fA-F]{64}")) {
      key = HexFormat.of().parseHex(trimmed);
    } else {
      try {
        key = Base64.getDecoder().decode(trimmed);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("FLEETJOBS_MASTER_KEY must be 32 bytes in base64 or 64 hex digits");
      }
    }
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException("FLEETJOBS_MASTER_KEY must be 32 bytes in base64 or 64 hex digits");
    }
    return new MasterKey(key);
  }

  /** Reads a key file the platform provides, such as a mounted secret. Blocking. */
  public static MasterKey read(Path keyFile) throws IOException {
    if (!Files.isReadable(keyFile)) {
      throw new IOException("FLEETJOBS_MASTER_KEY_FILE " + keyFile + " does not exist or cannot be read.");
    }
    return parse(Files.readString(keyFile, StandardCharsets.US_ASCII));
  }

  /** Reads the key file, or creates it with owner-only permissions on first start. Blocking. */
  public static MasterKey loadOrCreate(Path keyFile) throws IOException {
    return parse(SecretFiles.readOrCreate(keyFile, () -> {
      byte[] key = new byte[KEY_BYTES];
      new SecureRandom().nextBytes(key);
      return Base64.getEncoder().encodeToString(key);
    }));
  }

  SecretKey aesKey() {
    return aesKey;
  }

  /**
   * A fingerprint stored in the job database, so an agent started with a different key refuses to run
   * instead of failing on every credential later. It reveals nothing about the key.
   */
  public String fingerprint() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(aesKey.getEncoded(), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal("fleetjobs master key fingerprint".getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }
}
