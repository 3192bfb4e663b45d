package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.targets.Login;
import java.util.Optional;

/**
 * Chooses how a connection authenticates. As in Azure, once the agent has an identity, stored credentials
 * are not used: every connection presents the identity's token.
 */
public final class TargetAuthenticator {
  private final Optional<JdbcAuth.Token> identity;

  private TargetAuthenticator(Optional<JdbcAuth.Token> identity) {
    this.identity = identity;
  }

  public static TargetAuthenticator storedCredentials() {
    return new TargetAuthenticator(Optional.empty());
  }

  public static TargetAuthenticator identity(JdbcAuth.Token token) {
    return new TargetAuthenticator(Optional.of(token));
  }

  public boolean usesStoredCredentials() {
    return identity.isEmpty();
  }

  /** SqlLogin, or the method of the agent's identity. */
  public String method() {
    return identity.map(JdbcAuth::method).orElse(JdbcAuth.Password.METHOD);
  }

  /** @param field the definition field that should have named a credential, for the error */
  public JdbcAuth auth(Login login, String field) {
    if (identity.isPresent()) {
      return identity.get();
    }
    if (login == null) {
      throw new InvalidInput(field, "A sqlserver target needs a credential (" + field + "), or a Microsoft Entra "
        + "identity configured on the agent (FLEETJOBS_ENTRA_MODE).");
    }
    return new JdbcAuth.Password(login);
  }
}
