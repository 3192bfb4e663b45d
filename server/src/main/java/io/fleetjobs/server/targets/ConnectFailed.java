package io.fleetjobs.server.targets;

import java.util.Optional;

/**
 * A connection to a target could not be opened. Its message adds the TLS mode to the server's or network's own
 * error, since a mode the server does not accept is a common reason; the cause (a SQLSTATE, a refused socket, a
 * refused certificate) is what the retry classification reads.
 */
public final class ConnectFailed extends RuntimeException {
  public ConnectFailed(String message, Throwable cause) {
    super(message, cause);
  }

  /** The failure of a connection opened with the TLS mode {@code sslMode}, said plainly. */
  public static ConnectFailed of(Throwable failure, String sslMode) {
    return of(failure, sslMode, Optional.empty());
  }

  /**
   * @param refusal why the certificate was refused, as the trust check recorded it: the clients report a failed
   *     handshake without its cause
   */
  public static ConnectFailed of(Throwable failure, String sslMode, Optional<CertificateRefused> refusal) {
    if (refusal.isPresent()) {
      failure.addSuppressed(refusal.get());
      return new ConnectFailed(refusal.get().getMessage(), refusal.get());
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof CertificateRefused refused) {
        return new ConnectFailed(refused.getMessage(), failure);
      }
    }
    return new ConnectFailed(failure.getMessage() + " (sslMode " + sslMode + ")", failure);
  }
}
