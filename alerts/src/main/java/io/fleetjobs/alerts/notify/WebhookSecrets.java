package io.fleetjobs.alerts.notify;

import io.fleetjobs.common.errors.InvalidInput;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Creates and checks the secrets and message ids that {@link WebhookSigner} needs. Secrets use the
 * Standard Webhooks {@code whsec_} form so a receiver can paste them into a stock verifier, and are
 * checked when a user supplies one so that a weak or mistyped secret fails at save time, not at the
 * first delivery. Nothing here ever puts a secret into a message.
 */
public final class WebhookSecrets {
  private static final String PREFIX = "whsec_";
  private static final int GENERATED_BYTES = 32;
  private static final int MIN_BYTES = 24;
  private static final int MAX_BYTES = 64;
  private static final String ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  private static final int ID_LENGTH = 26;
  private static final SecureRandom RANDOM = new SecureRandom();

  private WebhookSecrets() {
  }

  public static String generate() {
    byte[] key = new byte[GENERATED_BYTES];
    RANDOM.nextBytes(key);
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** Returns {@code secret} unchanged, or fails with {@link InvalidInput} on {@code field}. */
  public static String validate(String secret, String field) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      throw new InvalidInput(field, field + " must be a webhook secret of the form whsec_<base64>");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new InvalidInput(field, field + " must be whsec_ followed by standard base64");
    }
    if (key.length < MIN_BYTES || key.length > MAX_BYTES) {
      throw new InvalidInput(field, field + " must decode to between " + MIN_BYTES + " and " + MAX_BYTES
          + " bytes, not " + key.length);
    }
    return secret;
  }

  /** A Standard Webhooks message id; the alphabet has no '.', which separates the signed parts. */
  public static String newMessageId() {
    StringBuilder id = new StringBuilder("msg_");
    for (int i = 0; i < ID_LENGTH; i++) {
      id.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
    }
    return id.toString();
  }
}
