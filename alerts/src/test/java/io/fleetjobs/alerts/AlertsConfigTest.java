package io.fleetjobs.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class AlertsConfigTest {

  @Test
  void without_a_login_starttls_stays_optional() {
    AlertsConfig.Smtp smtp = smtp(new JsonObject().put("smtpHost", "mail"));
    assertEquals("OPTIONAL", smtp.startTls());
    assertFalse(smtp.mayLogInWithoutTls());
  }

  @Test
  void with_a_login_tls_is_required_by_default() {
    AlertsConfig.Smtp smtp = smtp(login());
    assertEquals("REQUIRED", smtp.startTls());
    assertFalse(smtp.mayLogInWithoutTls());
  }

  @Test
  void a_login_without_tls_needs_the_explicit_opt_in() {
    for (String startTls : new String[] {"OPTIONAL", "DISABLED"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> smtp(login().put("smtpStarttls", startTls)));
      assertTrue(refused.getMessage().contains("smtpAllowCleartextLogin"), refused.getMessage());

      AlertsConfig.Smtp smtp = smtp(login().put("smtpStarttls", startTls).put("smtpAllowCleartextLogin", "true"));
      assertEquals(startTls, smtp.startTls());
      assertTrue(smtp.mayLogInWithoutTls());
    }
  }

  @Test
  void tls_from_the_start_needs_no_starttls() {
    AlertsConfig.Smtp smtp = smtp(login().put("smtpTls", "true").put("smtpStarttls", "DISABLED"));
    assertTrue(smtp.tls());
    assertFalse(smtp.mayLogInWithoutTls());
  }

  @Test
  void the_opt_in_survives_the_round_trip_to_verticles() {
    JsonObject json = login().put("smtpStarttls", "OPTIONAL").put("smtpAllowCleartextLogin", true);
    assertTrue(AlertsConfig.fromJson(AlertsConfig.fromJson(json, 8080).toJson(), 8080).smtp().mayLogInWithoutTls());
  }

  @Test
  void a_password_and_a_password_file_together_are_refused_at_start() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
      () -> smtp(login().put("smtpPasswordFile", "/run/secrets/smtp")));
    assertEquals("Give smtpPassword (FLEETJOBS_SMTP_PASSWORD) or smtpPasswordFile (FLEETJOBS_SMTP_PASSWORD_FILE), "
      + "not both.", refused.getMessage());
  }

  @Test
  void a_password_file_is_kept_as_where_to_read_it_and_shown_only_as_that() {
    JsonObject json = login().put("smtpPassword", (String) null).put("smtpPasswordFile", "/run/secrets/smtp");
    AlertsConfig.Smtp smtp = smtp(json);
    assertEquals("/run/secrets/smtp", smtp.passwordFrom().file());
    assertEquals(smtp, smtp(AlertsConfig.fromJson(json, 8080).toJson()), "survives the round trip to verticles");
    assertTrue(smtp.toString().contains("passwordFrom=the file /run/secrets/smtp"), smtp.toString());
  }

  private static JsonObject login() {
    return new JsonObject().put("smtpHost", "mail").put("smtpUser", "agent").put("smtpPassword", "smtp-secret");
  }

  private static AlertsConfig.Smtp smtp(JsonObject json) {
    return AlertsConfig.fromJson(json, 8080).smtp();
  }
}
