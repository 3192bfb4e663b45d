package io.fleetjobs.alerts.notify;

import io.fleetjobs.alerts.AlertsConfig;
import io.fleetjobs.alerts.store.ClaimedNotification;
import io.fleetjobs.common.secrets.PlatformSecrets;
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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a stored alert mail over SMTP with the Vert.x mail client. The threading headers were fixed
 * when the row was written, so a retry or a replay is the same message to the mail client. A password given as
 * a file (FLEETJOBS_SMTP_PASSWORD_FILE) is read at each send: when the platform rotates it, the next send logs in
 * with the new one through a new client, and the client of the old password is closed.
 */
public final class EmailNotifier {
  private static final Logger LOG = LoggerFactory.getLogger(EmailNotifier.class);
  private static final String PASSWORD_OWNER = "the SMTP login (FLEETJOBS_SMTP_PASSWORD_FILE)";
  private final Vertx vertx;
  private final AlertsConfig.Smtp smtp;
  private final PlatformSecrets platform;
  private final Duration timeout;
  /** The client of the password last read; sends run on several event loops, so it is swapped atomically. */
  private final AtomicReference<Login> login = new AtomicReference<>();

  private record Login(String password, MailClient client) {
  }

  /** @param platform reads {@code smtp.passwordFrom()} at each send */
  public EmailNotifier(Vertx vertx, AlertsConfig.Smtp smtp, PlatformSecrets platform, Duration timeout) {
    this.vertx = vertx;
    this.smtp = smtp;
    this.platform = platform;
    this.timeout = timeout;
    if (smtp.host() != null && !readsPassword()) {
      login.set(new Login(smtp.password(), MailClient.create(vertx, config(smtp, smtp.password()))));
    }
    if (smtp.host() != null && smtp.mayLogInWithoutTls()) {
      LOG.warn("SMTP: the password of {} may be sent to {}:{} without TLS (STARTTLS {}), as "
        + "FLEETJOBS_SMTP_ALLOW_CLEARTEXT_LOGIN allows", smtp.user(), smtp.host(), smtp.port(), smtp.startTls());
    }
  }

  private boolean readsPassword() {
    return smtp.user() != null && smtp.passwordFrom() != null;
  }

  /** Fails, naming the file, when the password is read from a file that cannot be read now; for the start. */
  public Future<Void> checkPassword() {
    return smtp.host() != null && readsPassword() ? client().mapEmpty() : Future.succeededFuture();
  }

  /** The client that logs in with the current password, made anew when the password changed. */
  private Future<MailClient> client() {
    if (!readsPassword()) {
      Login fixed = login.get();
      return fixed == null ? Future.failedFuture(new IllegalStateException("The mail client is closed."))
        : Future.succeededFuture(fixed.client());
    }
    return platform.read(smtp.passwordFrom(), "password", PASSWORD_OWNER)
      .map(password -> {
        Login current = login.get();
        if (current != null && current.password().equals(password)) {
          return current.client();
        }
        Login fresh = new Login(password, MailClient.create(vertx, config(smtp, password)));
        if (!login.compareAndSet(current, fresh)) {
          fresh.client().close();
          return login.get().client();
        }
        if (current != null) {
          // A send still on the old client fails and is retried, with the new password.
          current.client().close();
        }
        return fresh.client();
      });
  }

  private static MailConfig config(AlertsConfig.Smtp smtp, String password) {
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
      config.setUsername(smtp.user()).setPassword(password).setLogin(LoginOption.REQUIRED);
    } else {
      config.setLogin(LoginOption.DISABLED);
    }
    return config;
  }

  /** A password file that cannot be read fails the notification with the reason, without retries. */
  public Future<AttemptResult> send(ClaimedNotification notification) {
    if (smtp.host() == null) {
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
    return client()
      .compose(client -> client.sendMail(message)
          .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .map(result -> AttemptResult.delivered(250))
          .recover(failure -> Future.succeededFuture(
            new AttemptResult(AttemptResult.Verdict.RETRY, null, WebhookNotifier.describe(failure), null))),
        unreadable -> Future.succeededFuture(
          new AttemptResult(AttemptResult.Verdict.FAIL, null, unreadable.getMessage(), null)));
  }

  public Future<Void> close() {
    Login last = login.getAndSet(null);
    return last == null ? Future.succeededFuture() : last.client().close();
  }
}
