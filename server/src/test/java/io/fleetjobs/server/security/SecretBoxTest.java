package io.fleetjobs.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static final MasterKey KEY = MasterKey.parse(Base64.getEncoder().encodeToString(new byte[32]));

  @Test
  void sealed_secret_opens_with_the_same_key_and_context() {
    SecretBox box = new SecretBox(KEY);
    byte[] sealed = box.seal("p@ss", "credential:a");
    assertEquals("p@ss", box.open(sealed, "credential:a"));
    assertFalse(new String(sealed, StandardCharsets.ISO_8859_1).contains("p@ss"));
  }

  @Test
  void each_seal_uses_a_fresh_nonce() {
    SecretBox box = new SecretBox(KEY);
    assertFalse(Arrays.equals(box.seal("same", "c"), box.seal("same", "c")));
  }

  @Test
  void a_secret_moved_to_another_context_or_tampered_with_does_not_open() {
    SecretBox box = new SecretBox(KEY);
    byte[] sealed = box.seal("p@ss", "credential:a");
    assertThrows(SecurityException.class, () -> box.open(sealed, "credential:b"));
    sealed[sealed.length - 1] ^= 1;
    assertThrows(SecurityException.class, () -> box.open(sealed, "credential:a"));
    byte[] other = new byte[32];
    other[0] = 1;
    SecretBox wrongKey = new SecretBox(MasterKey.parse(Base64.getEncoder().encodeToString(other)));
    assertThrows(SecurityException.class, () -> wrongKey.open(box.seal("x", "c"), "c"));
  }

  @Test
  void keys_parse_from_base64_or_hex_and_must_be_256_bits() {
    String hex = "00".repeat(32);
    assertEquals(KEY.fingerprint(), MasterKey.parse(hex).fingerprint());
    assertThrows(IllegalArgumentException.class, () -> MasterKey.parse("c2hvcnQ="));
    assertThrows(IllegalArgumentException.class, () -> MasterKey.parse("not base64 at all!"));
    assertNotEquals(KEY.fingerprint(), MasterKey.parse("01" + "00".repeat(31)).fingerprint());
  }
}
