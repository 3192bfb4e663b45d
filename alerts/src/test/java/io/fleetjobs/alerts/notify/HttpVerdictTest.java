package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class HttpVerdictTest {
  @ParameterizedTest
  @ValueSource(ints = {200, 201, 202, 204, 299})
  void every_2xx_is_delivered(int status) {
    assertEquals(HttpVerdict.DELIVERED, HttpVerdict.of(status));
  }

  @ParameterizedTest
  @ValueSource(ints = {408, 429, 500, 502, 503, 504, 599})
  void timeouts_throttling_and_5xx_are_retried(int status) {
    assertEquals(HttpVerdict.RETRY, HttpVerdict.of(status));
  }

  @Test
  void gone_disables_the_receiver() {
    assertEquals(HttpVerdict.DISABLE_RECEIVER, HttpVerdict.of(410));
  }

  @ParameterizedTest
  @ValueSource(ints = {100, 101, 301, 302, 307, 308, 400, 401, 403, 404, 413, 0, 600})
  void informational_redirects_and_other_client_errors_fail(int status) {
    assertEquals(HttpVerdict.FAIL, HttpVerdict.of(status));
  }
}
