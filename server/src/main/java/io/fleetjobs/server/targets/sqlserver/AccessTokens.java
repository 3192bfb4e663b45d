package io.fleetjobs.server.targets.sqlserver;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Access tokens of the agent's Entra identity for Azure SQL, cached per resource and fetched again shortly
 * before they expire, so a login rarely waits on Entra and never presents a token about to lapse. The
 * resource is the SPN the server names in its login response (https://database.windows.net/ in the public
 * cloud, https://database.usgovcloudapi.net/ in Azure Government, https://database.chinacloudapi.cn/ in Azure
 * China), as mssql-jdbc's accessTokenCallback hands it over. {@link #forResource} blocks while it fetches: the
 * driver calls it on a worker thread, as a connection logs in.
 */
public final class AccessTokens implements JdbcAuth.TokenSource {
  /** The public cloud's resource, for the credential test that names no server. */
  public static final String PUBLIC_CLOUD = "https://database.windows.net/";
  /** Refreshed this long before expiry, as azure-identity's own clients do. */
  public static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);

  private final TokenCredential credential;
  private final Clock clock;
  private final Map<String, AccessToken> cached = new HashMap<>();

  public AccessTokens(TokenCredential credential, Clock clock) {
    this.credential = credential;
    this.clock = clock;
  }

  /** The scope for a resource, as mssql-jdbc derives it for its own Entra modes. */
  public static String scope(String resource) {
    return resource.endsWith("/.default") ? resource : resource + "/.default";
  }

  /**
   * One fetch at a time: connections opening together share the token the first of them fetched. A fetch
   * that fails while the cached token is still valid keeps using it; once there is none, the failure is
   * an ordinary error, so the target's retries apply (Entra throttles, and IMDS has bad seconds).
   */
  @Override
  public synchronized JdbcAuth.IssuedToken forResource(String resource) {
    String scope = scope(resource);
    Instant now = clock.instant();
    AccessToken token = cached.get(scope);
    if (token == null || !token.getExpiresAt().toInstant().isAfter(now.plus(REFRESH_BEFORE))) {
      try {
        AccessToken fresh = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
        if (fresh == null) {
          throw new IllegalStateException("the credential returned no token");
        }
        cached.put(scope, fresh);
        token = fresh;
      } catch (RuntimeException e) {
        if (token == null || !token.getExpiresAt().toInstant().isAfter(now)) {
          // The message is Entra's own; a token is never part of it.
          throw new TokenUnavailable("Could not get a Microsoft Entra token for " + scope + ": " + e.getMessage());
        }
      }
    }
    return new JdbcAuth.IssuedToken(token.getToken(), token.getExpiresAt().toInstant());
  }

  /** No token to connect with now; a later attempt may get one. */
  public static final class TokenUnavailable extends RuntimeException {
    TokenUnavailable(String message) {
      super(message);
    }
  }
}
