package io.fleetjobs.server.config;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the agent reaches SQL Server and Azure SQL targets. {@code entra} is the agent's Microsoft Entra
 * identity; once one is configured, stored credentials are not used for sqlserver targets, as in Azure.
 * {@code connection} holds the TLS and availability options every sqlserver connection gets.
 */
public record SqlServerSettings(boolean trustServerCertificate, Entra entra, Connection connection) {

  public SqlServerSettings(boolean trustServerCertificate, Entra entra) {
    this(trustServerCertificate, entra, Connection.DEFAULT);
  }

  /**
   * Connection options for every sqlserver target.
   *
   * @param strictEncryption TDS 8 (encrypt=strict): TLS before any TDS byte, and the certificate always checked,
   *     as SQL Server 2022 with Force Strict Encryption requires
   * @param hostNameInCertificate the name the certificate must carry, when it is not the name connected to
   *     (an IP address, a CNAME, a private endpoint's alias)
   * @param serverCertificate a certificate file (PEM or DER) the server's must be, instead of a trusted
   *     authority's signature
   * @param multiSubnetFailover tries every address of an availability group listener at once
   * @param applicationIntent ReadWrite, or ReadOnly to be routed to a readable secondary
   */
  public record Connection(boolean strictEncryption, String hostNameInCertificate, String serverCertificate,
                           boolean multiSubnetFailover, String applicationIntent) {
    public static final Connection DEFAULT = new Connection(false, null, null, false, "ReadWrite");
  }

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
    Connection connection = new Connection(
      encrypt(json.getValue("sqlserverEncrypt")),
      blankToNull(json.getString("sqlserverHostNameInCertificate")),
      blankToNull(json.getString("sqlserverServerCertificate")),
      bool("sqlserverMultiSubnetFailover", json.getValue("sqlserverMultiSubnetFailover")),
      intent(json.getValue("sqlserverApplicationIntent")));
    return new SqlServerSettings(bool("sqlserverTrustServerCertificate", json.getValue("sqlserverTrustServerCertificate")),
      entra, connection);
  }

  /** true (TDS 7.4 with TLS negotiated, the default) or strict (TDS 8); TLS is never off. */
  private static boolean encrypt(Object value) {
    String text = value == null ? "true" : value.toString().trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "", "true", "mandatory" -> false;
      case "strict" -> true;
      default -> throw new IllegalArgumentException("sqlserverEncrypt must be true or strict, not " + value
        + " (TLS is always on)");
    };
  }

  private static String intent(Object value) {
    String text = value == null ? "" : value.toString().trim();
    if (text.isEmpty() || text.equalsIgnoreCase("ReadWrite")) {
      return "ReadWrite";
    }
    if (text.equalsIgnoreCase("ReadOnly")) {
      return "ReadOnly";
    }
    throw new IllegalArgumentException("sqlserverApplicationIntent must be ReadWrite or ReadOnly, not " + value);
  }

  void putInto(JsonObject json) {
    json.put("sqlserverTrustServerCertificate", trustServerCertificate)
      .put("sqlserverEncrypt", connection.strictEncryption() ? "strict" : "true")
      .put("sqlserverHostNameInCertificate", connection.hostNameInCertificate())
      .put("sqlserverServerCertificate", connection.serverCertificate())
      .put("sqlserverMultiSubnetFailover", connection.multiSubnetFailover())
      .put("sqlserverApplicationIntent", connection.applicationIntent())
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
  private static boolean bool(String key, Object value) {
    if (value == null) {
      return false;
    }
    String text = value.toString().trim().toLowerCase(Locale.ROOT);
    if (!text.equals("true") && !text.equals("false")) {
      throw new IllegalArgumentException(key + " must be true or false, not " + value);
    }
    return Boolean.parseBoolean(text);
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
