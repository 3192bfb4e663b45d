package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.common.errors.InvalidInput;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WebhookSecretsTest {
  private static final String FIELD = "receivers.webhook[0].secret";

  @Test
  void generated_secrets_are_32_random_bytes_in_whsec_form() {
    String secret = WebhookSecrets.generate();

    assertTrue(secret.startsWith("whsec_"));
    assertEquals(32, Base64.getDecoder().decode(secret.substring(6)).length);
    assertNotEquals(secret, WebhookSecrets.generate());
  }

  @Test
  void generated_secrets_pass_validation() {
    String secret = WebhookSecrets.generate();

    assertEquals(secret, WebhookSecrets.validate(secret, FIELD));
  }

  @Test
  void the_standard_webhooks_example_secret_is_valid() {
    String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    assertEquals(secret, WebhookSecrets.validate(secret, FIELD));
  }

  @Test
  void a_missing_or_unprefixed_secret_is_invalid_on_the_given_field() {
    String bare = Base64.getEncoder().encodeToString(new byte[32]);

    assertEquals(FIELD, assertThrows(InvalidInput.class, () -> WebhookSecrets.validate(null, FIELD)).target());
    assertEquals(FIELD, assertThrows(InvalidInput.class, () -> WebhookSecrets.validate(bare, FIELD)).target());
  }

  @Test
  void a_secret_that_is_not_base64_is_invalid_and_not_repeated() {
    String secret = "whsec_this-is-not-standard-base64!!";

    InvalidInput e = assertThrows(InvalidInput.class, () -> WebhookSecrets.validate(secret, FIELD));

    assertFalse(e.getMessage().contains("this-is-not"));
  }

  @Test
  void secrets_outside_24_to_64_bytes_are_invalid() {
    assertThrows(InvalidInput.class, () -> WebhookSecrets.validate(whsec(23), FIELD));
    assertThrows(InvalidInput.class, () -> WebhookSecrets.validate(whsec(65), FIELD));
    assertThrows(InvalidInput.class, () -> WebhookSecrets.validate("whsec_", FIELD));
    assertEquals(whsec(24), WebhookSecrets.validate(whsec(24), FIELD));
    assertEquals(whsec(64), WebhookSecrets.validate(whsec(64), FIELD));
  }

  @Test
  void message_ids_are_msg_and_26_alphanumerics() {
    String id = WebhookSecrets.newMessageId();

    assertTrue(id.matches("msg_[A-Za-z0-9]{26}"), id);
    assertNotEquals(id, WebhookSecrets.newMessageId());
  }

  private static String whsec(int bytes) {
    return "whsec_" + Base64.getEncoder().encodeToString(new byte[bytes]);
  }
}
