package io.fleetjobs.alerts;

import io.fleetjobs.common.secrets.SecretReference;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The alerting part of the agent's configuration, read from the same flat JSON (environment keys such
 * as FLEETJOBS_SMTP_HOST arrive as {@code smtpHost}). Defaults are written here, at the read site.
 *
 * @param retryDelays   waits between delivery attempts; null means the Standard Webhooks schedule
 * @param webhookAllow  comma-separated addresses or CIDR ranges a webhook may reach although internal
 */
public record AlertsConfig(
  Smtp smtp,
  String publicUrl,
  String webhookAllow,
  List<Duration> retryDelays,
  Duration attemptTimeout,
  Duration deliveryLease,
  Duration evaluationTick) {

  /**
   * How mail leaves: host and port, STARTTLS DISABLED|OPTIONAL|REQUIRED or TLS from the start. With a login,
   * STARTTLS defaults to REQUIRED, and anything that could send the password in clear needs
   * {@code allowCleartextLogin}: OPTIONAL logs in without TLS to a server that offers none.
   *
   * @param passwordFrom where the password is read at each use instead of {@code password}
   *                     (FLEETJOBS_SMTP_PASSWORD_FILE, a mounted secret), so a rotated password is picked up
   */
  public record Smtp(String host, int port, String startTls, boolean tls, String user, String password,
                     SecretReference passwordFrom, String from, boolean allowCleartextLogin) {
    /** Whether the login may travel without TLS, which the operator opted into. */
    public boolean mayLogInWithoutTls() {
      return user != null && !tls && !startTls.equals("REQUIRED");
    }

    @Override
    public String toString() {
      return "Smtp[host=" + host + ", port=" + port + ", startTls=" + startTls + ", tls=" + tls + ", user=" + user
        + ", password=" + (password == null ? "none" : "set") + ", passwordFrom="
        + (passwordFrom == null ? "none" : passwordFrom.describe()) + ", from=" + from
        + ", allowCleartextLogin=" + allowCleartextLogin + "]";
    }
  }

  public static AlertsConfig fromJson(JsonObject json, int httpPort) {
    String user = blankToNull(json.getString("smtpUser"));
    boolean tls = bool(json, "smtpTls");
    boolean allowCleartextLogin = bool(json, "smtpAllowCleartextLogin");
    String startTls = json.getString("smtpStarttls", user == null ? "OPTIONAL" : "REQUIRED").trim()
      .toUpperCase(Locale.ROOT);
    if (!List.of("DISABLED", "OPTIONAL", "REQUIRED").contains(startTls)) {
      throw new IllegalArgumentException("smtpStarttls must be DISABLED, OPTIONAL or REQUIRED, not " + startTls);
    }
    if (user != null && !tls && !startTls.equals("REQUIRED") && !allowCleartextLogin) {
      throw new IllegalArgumentException("smtpStarttls " + startTls + " with smtpUser could send the SMTP password "
        + "without TLS: use smtpStarttls REQUIRED or smtpTls true, or set smtpAllowCleartextLogin true to accept that");
    }
    String password = blankToNull(json.getString("smtpPassword"));
    String passwordFile = blankToNull(json.getString("smtpPasswordFile"));
    if (password != null && passwordFile != null) {
      throw new IllegalArgumentException("Give smtpPassword (FLEETJOBS_SMTP_PASSWORD) or smtpPasswordFile "
        + "(FLEETJOBS_SMTP_PASSWORD_FILE), not both.");
    }
    Smtp smtp = new Smtp(
      blankToNull(json.getString("smtpHost")),
      integer(json, "smtpPort", 25),
      startTls,
      tls,
      user,
      password,
      passwordFile == null ? null : new SecretReference(Path.of(passwordFile.trim()).toAbsolutePath().toString(), null),
      json.getString("smtpFrom", "fleetjobs@localhost"),
      allowCleartextLogin);
    return new AlertsConfig(
      smtp,
      json.getString("publicUrl", "http://localhost:" + httpPort),
      json.getString("webhookAllow", ""),
      durations(json.getString("alertRetryDelays")),
      Duration.ofSeconds(integer(json, "alertAttemptTimeoutSeconds", 15)),
      Duration.ofSeconds(integer(json, "alertDeliveryLeaseSeconds", 60)),
      Duration.ofMillis(integer(json, "alertEvaluationTickMs", 1000)));
  }

  /** The keys {@link #fromJson} reads, for handing the resolved config to verticles. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("smtpHost", smtp.host())
      .put("smtpPort", smtp.port())
      .put("smtpStarttls", smtp.startTls())
      .put("smtpTls", smtp.tls())
      .put("smtpUser", smtp.user())
      .put("smtpPassword", smtp.password())
      .put("smtpPasswordFile", smtp.passwordFrom() == null ? null : smtp.passwordFrom().file())
      .put("smtpFrom", smtp.from())
      .put("smtpAllowCleartextLogin", smtp.allowCleartextLogin())
      .put("publicUrl", publicUrl)
      .put("webhookAllow", webhookAllow)
      .put("alertRetryDelays", retryDelays == null ? null
        : String.join(",", retryDelays.stream().map(Duration::toString).toList()))
      .put("alertAttemptTimeoutSeconds", attemptTimeout.toSeconds())
      .put("alertDeliveryLeaseSeconds", deliveryLease.toSeconds())
      .put("alertEvaluationTickMs", evaluationTick.toMillis());
  }

  @Override
  public String toString() {
    return "AlertsConfig[smtp=" + smtp + ", publicUrl=" + publicUrl + ", webhookAllow=" + webhookAllow
      + ", retryDelays=" + retryDelays + "]";
  }

  private static List<Duration> durations(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    List<Duration> delays = new ArrayList<>();
    for (String part : text.split(",")) {
      try {
        delays.add(Duration.parse(part.trim()));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("alertRetryDelays holds ISO-8601 durations such as PT5S, not " + part);
      }
    }
    return List.copyOf(delays);
  }

  private static int integer(JsonObject json, String key, int defaultValue) {
    Object value = json.getValue(key);
    try {
      int parsed = value == null ? defaultValue : Integer.parseInt(value.toString().trim());
      if (parsed < 1) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a positive whole number, not " + value);
    }
  }

  private static boolean bool(JsonObject json, String key) {
    return Boolean.parseBoolean(String.valueOf(json.getValue(key, "false")).trim());
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
