package io.fleetjobs.server.targets;

import java.security.cert.CertificateException;

/**
 * A target's TLS certificate was refused: not signed by a trusted authority, or made out for another host. No
 * retry changes a certificate, so the retry classification fails it at once; its message says why, plainly.
 */
public final class CertificateRefused extends CertificateException {
  public CertificateRefused(String message, Throwable cause) {
    super(message, cause);
  }
}
