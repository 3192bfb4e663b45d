package io.fleetjobs.alerts.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.fleetjobs.alerts.AlertsConfig;
import io.fleetjobs.alerts.groups.Receiver;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.fleetjobs.common.secrets.PlatformSecrets;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an SMTP login configured, the password goes only over TLS unless the operator opted in: against a real
 * SMTP server that offers no STARTTLS (GreenMail, which requires the login), nothing is sent by default. A
 * password from a file (FLEETJOBS_SMTP_PASSWORD_FILE) is read at each send, so a rotated one logs in.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class EmailNotifierTest {
  private GreenMail mail;

  @BeforeEach
  void start() {
    mail = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
      .withConfiguration(GreenMailConfiguration.aConfig().withUser("agent", "smtp-secret"));
    mail.start();
  }

  @AfterEach
  void stop() {
    mail.stop();
  }

  @Test
  void a_server_without_starttls_gets_no_login_by_default(Vertx vertx) {
    EmailNotifier notifier = notifier(vertx, config());
    AttemptResult result = notifier.send(notification()).await();
    notifier.close().await();

    assertEquals(AttemptResult.Verdict.RETRY, result.verdict());
    assertTrue(result.error().toUpperCase().contains("STARTTLS"), result.error());
    assertEquals(0, mail.getReceivedMessages().length);
  }

  @Test
  void a_password_from_a_file_is_read_at_each_send_so_a_rotation_logs_in(Vertx vertx, @TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("smtp-password");
    Files.writeString(file, "smtp-secret\n");
    EmailNotifier notifier = notifier(vertx, config().put("smtpPassword", (String) null)
      .put("smtpPasswordFile", file.toString()).put("smtpStarttls", "OPTIONAL").put("smtpAllowCleartextLogin", "true"));
    try {
      notifier.checkPassword().await();
      AttemptResult first = notifier.send(notification()).await();
      assertEquals(AttemptResult.Verdict.DELIVERED, first.verdict(), first.error());

      mail.getUserManager().getUser("agent").setPassword("rotated-secret");
      Files.writeString(file, "rotated-secret\n");
      AttemptResult rotated = notifier.send(notification()).await();
      assertEquals(AttemptResult.Verdict.DELIVERED, rotated.verdict(), rotated.error());
      assertEquals(2, mail.getReceivedMessages().length);

      Files.delete(file);
      AttemptResult missing = notifier.send(notification()).await();
      assertEquals(AttemptResult.Verdict.FAIL, missing.verdict(), "not retried: only the platform can fix it");
      assertEquals("The password of the SMTP login (FLEETJOBS_SMTP_PASSWORD_FILE) is read from the file " + file
        + ", which does not exist or cannot be read.", missing.error());
      Throwable refused = assertThrows(Exception.class, () -> notifier.checkPassword().await());
      assertTrue(refused.getMessage().contains(file.toString()), refused.getMessage());
      assertEquals(2, mail.getReceivedMessages().length);
    } finally {
      notifier.close().await();
    }
  }

  @Test
  void the_opt_in_sends_the_login_without_tls(Vertx vertx) {
    EmailNotifier notifier = notifier(vertx, config().put("smtpStarttls", "OPTIONAL")
      .put("smtpAllowCleartextLogin", "true"));
    AttemptResult result = notifier.send(notification()).await();
    notifier.close().await();

    assertEquals(AttemptResult.Verdict.DELIVERED, result.verdict(), result.error());
    assertEquals(1, mail.getReceivedMessages().length);
  }

  private JsonObject config() {
    return new JsonObject()
      .put("smtpHost", "127.0.0.1")
      .put("smtpPort", mail.getSmtp().getPort())
      .put("smtpUser", "agent")
      .put("smtpPassword", "smtp-secret")
      .put("smtpFrom", "fleetjobs@example.test");
  }

  private static EmailNotifier notifier(Vertx vertx, JsonObject config) {
    return new EmailNotifier(vertx, AlertsConfig.fromJson(config, 8080).smtp(), new PlatformSecrets(vertx, Map.of()),
      Duration.ofSeconds(10));
  }

  private static ClaimedNotification notification() {
    return new ClaimedNotification(UUID.randomUUID(), 1, "<m1@fleetjobs>", "dba", "oncall", Receiver.Kind.email,
      "oncall@example.test", "Alert fired", "A job failed.", new JsonObject(), 0, 3, false);
  }
}
