package io.fleetjobs.server.config;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the agent reaches SQL Server and Azure SQL targets. {@code entra} is the agent's Microsoft Entra
 * identity; once one is configured, stored credentials are not used for sqlserver targets, as in Azure.
 */
public record SqlServerSettings(boolean trustServerCertificate, Entra entra) {

  /** How the agent authenticates as itself; NONE means stored credentials (SQL logins). */
  public enum EntraMode { NONE, ManagedIdentity, ServicePrincipal, DefaultAzureCredential }

  /** The agent's identity. {@code clientSecret} is a secret: config or environment only, never printed. */
  public record Entra(EntraMode mode, String clientId, String tenantId, String clientSecret, String certificatePath) {
    public boolean configured() {
      return mode != EntraMode.NONE;
    }

    @Override
    public String toString() {
      return "Entra[mode=" + mode + ", clientId=" + clientId + ", tenantId=" + tenantId
        + ", clientSecret=" + (clientSecret == null ? "none" : "set") + ", certificatePath=" + certificatePath + "]";
    }
  }

  static SqlServerSettings fromJson(JsonObject json) {
    Entra entra = new Entra(
      mode(json.getValue("entraMode")),
      blankToNull(json.getString("entraClientId")),
      blankToNull(json.getString("entraTenantId")),
      blankToNull(json.getString("entraClientSecret")),
      blankToNull(json.getString("entraCertificatePath")));
    check(entra);
    return new SqlServerSettings(bool(json.getValue("sqlserverTrustServerCertificate")), entra);
  }

  void putInto(JsonObject json) {
    json.put("sqlserverTrustServerCertificate", trustServerCertificate)
      .put("entraMode", entra.mode().name())
      .put("entraClientId", entra.clientId())
      .put("entraTenantId", entra.tenantId())
      .put("entraClientSecret", entra.clientSecret())
      .put("entraCertificatePath", entra.certificatePath());
  }

  private static void check(Entra entra) {
    switch (entra.mode()) {
      case ManagedIdentity -> {
        if (entra.clientId() == null) {
          throw new IllegalArgumentException("entraMode ManagedIdentity needs entraClientId, the client id of the "
            + "agent's user-assigned managed identity");
        }
      }
      case ServicePrincipal -> {
        if (entra.tenantId() == null || entra.clientId() == null) {
          throw new IllegalArgumentException("entraMode ServicePrincipal needs entraTenantId and entraClientId");
        }
        if ((entra.clientSecret() == null) == (entra.certificatePath() == null)) {
          throw new IllegalArgumentException("entraMode ServicePrincipal needs either entraClientSecret or "
            + "entraCertificatePath, not both");
        }
      }
      default -> {
      }
    }
  }

  private static EntraMode mode(Object value) {
    if (value == null || value.toString().isBlank()) {
      return EntraMode.NONE;
    }
    return Arrays.stream(EntraMode.values())
      .filter(mode -> mode.name().toLowerCase(Locale.ROOT).equals(value.toString().trim().toLowerCase(Locale.ROOT)))
      .findFirst()
      .orElseThrow(() -> new IllegalArgumentException("entraMode must be one of " + Arrays.stream(EntraMode.values())
        .map(Enum::name).collect(Collectors.joining(", ")) + ", not " + value));
  }

  // Environment overrides arrive as strings, files as booleans: accept both.
  private static boolean bool(Object value) {
    if (value == null) {
      return false;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (!text.equals("true") && !text.equals("false")) {
      throw new IllegalArgumentException("sqlserverTrustServerCertificate must be true or false, not " + value);
    }
    return Boolean.parseBoolean(text);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
