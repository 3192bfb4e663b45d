package io.fleetjobs.alerts.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook bodies the Standard Webhooks 1.0 way, so receivers can verify our deliveries with any of
 * the stock Standard Webhooks libraries instead of code written against a fleetjobs-only scheme. The
 * message id and timestamp are part of the signed content, which lets receivers reject replays and
 * deduplicate retries, so a retry must reuse the id of its first attempt.
 */
public final class WebhookSigner {
  private static final String SECRET_PREFIX = "whsec_";
  private static final String ALGORITHM = "HmacSHA256";

  private WebhookSigner() {
  }

  /** Returns {@code v1,<base64 HMAC-SHA256>} of {@code messageId.timestampSeconds.body}. */
  public static String sign(String secret, String messageId, long timestampSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key(secret), ALGORITHM));
      mac.update((messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      // Every Java platform must provide HmacSHA256, so this is a broken runtime, not bad input.
      throw new IllegalStateException("HmacSHA256 is unavailable", e);
    }
  }

  /** The three Standard Webhooks headers, in the order the specification lists them. */
  public static Map<String, String> headers(String secret, String messageId, long timestampSeconds, byte[] body) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", messageId);
    headers.put("webhook-timestamp", Long.toString(timestampSeconds));
    headers.put("webhook-signature", sign(secret, messageId, timestampSeconds, body));
    return Collections.unmodifiableMap(headers);
  }

  private static byte[] key(String secret) {
    String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
    try {
      return Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      // No cause and no secret in the message: either could end up in a log.
      throw new IllegalArgumentException("the webhook secret is not base64");
    }
  }
}
