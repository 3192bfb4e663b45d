package io.fleetjobs.server.targets;

/**
 * How one member's connections are secured and sign in, as its group says: copied onto each target when a step
 * starts, so a run connects as its group said when it was expanded.
 *
 * @param trustServerCertificate sqlserver: accept a certificate no trusted authority signed (TLS stays on)
 * @param sslMode postgresql and mysql: the TLS mode in the engine's own words (libpq's sslmode, MySQL's
 *     --ssl-mode); null takes the agent's default for the engine
 * @param authentication null signs in with the stored credential; {@link #ENTRA} (postgresql) with the agent's
 *     Microsoft Entra token as the password of the credential's user
 */
public record ConnectionSettings(boolean trustServerCertificate, String sslMode, String authentication) {
  public static final String ENTRA = "Entra";
  /** A member that says nothing: certificates checked, the agent's TLS mode, stored credentials. */
  public static final ConnectionSettings DEFAULT = new ConnectionSettings(false, null, null);
  /** A sqlserver member that accepts any certificate (TLS stays on). */
  public static final ConnectionSettings TRUST_SERVER_CERTIFICATE = new ConnectionSettings(true, null, null);

  public static ConnectionSettings sslMode(String sslMode) {
    return new ConnectionSettings(false, sslMode, null);
  }

  public boolean entra() {
    return ENTRA.equals(authentication);
  }

  public ConnectionSettings withSslMode(String mode) {
    return new ConnectionSettings(trustServerCertificate, mode, authentication);
  }
}
