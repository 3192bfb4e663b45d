package io.fleetjobs.server.targets.jdbc;

import io.fleetjobs.server.targets.Login;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.time.Instant;

/** How the connections of one pool authenticate. */
public sealed interface JdbcAuth {

  /** What the API shows: SqlLogin, ManagedIdentity, ServicePrincipal or DefaultAzureCredential. */
  String method();

  /** Tells pools apart without holding a password in the key. */
  String poolKey();

  /** A stored credential: user name and password. */
  record Password(Login login) implements JdbcAuth {
    public static final String METHOD = "SqlLogin";

    @Override
    public String method() {
      return METHOD;
    }

    @Override
    public String poolKey() {
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((login.username() + '\0' + login.password()).getBytes(StandardCharsets.UTF_8));
        return "login:" + login.username() + ":" + HexFormat.of().formatHex(digest, 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * The agent's Microsoft Entra identity: {@code tokens} is asked for a current access token each time a
   * connection logs in, for the resource the server names (its SPN), so Azure Government and Azure China
   * servers get tokens for their own clouds. It blocks while a token is fetched: only worker threads call it.
   */
  record Token(String method, TokenSource tokens) implements JdbcAuth {
    @Override
    public String poolKey() {
      return "entra";
    }

    @Override
    public String toString() {
      return "Token[" + method + "]";
    }
  }

  /** Access tokens of one identity, for a resource (a server's SPN, such as https://database.windows.net/). */
  @FunctionalInterface
  interface TokenSource {
    IssuedToken forResource(String resource);
  }

  /** A token and when it stops being valid: the driver reconnects pooled sessions before then. */
  record IssuedToken(String value, Instant expiresAt) {
    @Override
    public String toString() {
      return "IssuedToken[expiresAt=" + expiresAt + "]";
    }
  }
}
