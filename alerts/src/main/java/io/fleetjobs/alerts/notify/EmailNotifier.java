package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.AlertsConfig;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a stored alert mail over SMTP with the Vert.x mail client. The threading headers were fixed
 * when the row was written, so a retry or a replay is the same message to the mail client.
 */
public final class EmailNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(EmailNotifier.class);
  private final MailClient client;
  private final AlertsConfig.Smtp smtp;
  private final Duration timeout;

  public EmailNotifier(Vertx vertx, AlertsConfig.Smtp smtp, Duration timeout) {
    this.smtp = smtp;
    this.timeout = timeout;
    this.client = smtp.host() == null ? null : MailClient.create(vertx, config(smtp));
    if (client != null && smtp.mayLogInWithoutTls()) {
      LOG.warn("SMTP: the password of {} may be sent to {}:{} without TLS (STARTTLS {}), as "
        + "FLEETJOBS_SMTP_ALLOW_CLEARTEXT_LOGIN allows", smtp.user(), smtp.host(), smtp.port(), smtp.startTls());
    }
  }

  private static MailConfig config(AlertsConfig.Smtp smtp) {
    MailConfig config = new MailConfig()
      .setHostname(smtp.host())
      .setPort(smtp.port())
      .setSsl(smtp.tls())
      .setStarttls(StartTLSOptions.valueOf(smtp.startTls()))
      // TLS that accepts any host's certificate would hand the login to whoever answers: check the name too.
      .setHostnameVerificationAlgorithm("HTTPS")
      .setKeepAlive(true)
      .setConnectTimeout((int) Duration.ofSeconds(15).toMillis());
    if (smtp.user() != null) {
      config.setUsername(smtp.user()).setPassword(smtp.password()).setLogin(LoginOption.REQUIRED);
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    return config;
  }

  public Future<AttemptResult> send(ClaimedNotification notification) {
    if (client == null) {
      return Future.succeededFuture(new AttemptResult(AttemptResult.Verdict.FAIL, null,
        "No SMTP server is configured; set FLEETJOBS_SMTP_HOST and replay this notification.", null));
    }
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    JsonObject stored = notification.headers();
    stored.fieldNames().forEach(name -> headers.add(name, stored.getString(name)));
    MailMessage message = new MailMessage()
      .setFrom(smtp.from())
      .setTo(notification.address())
      .setSubject(notification.subject())
      .setText(notification.body())
      .setHeaders(headers);
    return client.sendMail(message)
      .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
      .map(result -> AttemptResult.delivered(250))
      .recover(failure -> Future.succeededFuture(
        new AttemptResult(AttemptResult.Verdict.RETRY, null, WebhookNotifier.describe(failure), null)));
  }

  public Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
