package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WebhookSignerTest {
  private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  private static final long TIMESTAMP = 1614265330L;
  private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  private static final String EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

  @Test
  void signature_matches_the_standard_webhooks_vector() {
    assertEquals(EXPECTED, WebhookSigner.sign(SECRET, ID, TIMESTAMP, BODY));
  }

  @Test
  void a_secret_without_the_prefix_signs_the_same() {
    assertEquals(EXPECTED, WebhookSigner.sign(SECRET.substring("whsec_".length()), ID, TIMESTAMP, BODY));
  }

  @Test
  void a_different_timestamp_gives_a_different_signature() {
    assertNotEquals(EXPECTED, WebhookSigner.sign(SECRET, ID, TIMESTAMP + 1, BODY));
  }

  @Test
  void a_different_message_id_gives_a_different_signature() {
    assertNotEquals(EXPECTED, WebhookSigner.sign(SECRET, "msg_other", TIMESTAMP, BODY));
  }

  @Test
  void headers_carry_id_timestamp_and_signature_in_order() {
    Map<String, String> headers = WebhookSigner.headers(SECRET, ID, TIMESTAMP, BODY);

    assertEquals(List.of("webhook-id", "webhook-timestamp", "webhook-signature"), List.copyOf(headers.keySet()));
    assertEquals(ID, headers.get("webhook-id"));
    assertEquals("1614265330", headers.get("webhook-timestamp"));
    assertEquals(EXPECTED, headers.get("webhook-signature"));
  }

  @Test
  void a_secret_that_is_not_base64_is_rejected_without_repeating_it() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WebhookSigner.sign("whsec_not*base64!", ID, TIMESTAMP, BODY));

    assertEquals("the webhook secret is not base64", e.getMessage());
  }
}
