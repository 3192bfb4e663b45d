package io.fleetjobs.alerts.store;

/**
 * Seals webhook secrets at rest. The server supplies its master-key box; the context binds a sealed
 * value to its receiver, so a value copied to another row does not open.
 */
public interface SecretSealer {
  byte[] seal(String plaintext, String context);

  String open(byte[] sealed, String context);
}
