package io.fleetjobs.server.targets.sqlserver;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Access tokens of the agent's Entra identity for one scope (Azure SQL's, or Azure Database for PostgreSQL's),
 * cached and fetched again shortly before they expire, so opening a connection rarely waits on Entra and never presents a token about to lapse.
 * {@link #token()} blocks while it fetches: only worker threads call it, as a connection opens.
 */
public final class AccessTokens {
  public static final String SCOPE = "https://database.windows.net/.default";
  /** Refreshed this long before expiry, as azure-identity's own clients do. */
  public static final Duration REFRESH_BEFORE = Duration.ofMinutes(5);

  private final TokenCredential credential;
  private final Clock clock;
  private final String scope;
  private AccessToken cached;

  public AccessTokens(TokenCredential credential, Clock clock) {
    this(credential, clock, SCOPE);
  }

  public AccessTokens(TokenCredential credential, Clock clock, String scope) {
    this.credential = credential;
    this.clock = clock;
    this.scope = scope;
  }

  /**
   * One fetch at a time: connections opening together share the token the first of them fetched. A fetch
   * that fails while the cached token is still valid keeps using it; once there is none, the failure is
   * an ordinary error, so the target's retries apply (Entra throttles, and IMDS has bad seconds).
   */
  public synchronized String token() {
    Instant now = clock.instant();
    if (cached == null || !cached.getExpiresAt().toInstant().isAfter(now.plus(REFRESH_BEFORE))) {
      try {
        AccessToken fresh = credential.getTokenSync(new TokenRequestContext().addScopes(scope));
        if (fresh == null) {
          throw new IllegalStateException("the credential returned no token");
        }
        cached = fresh;
      } catch (RuntimeException e) {
        if (cached != null && cached.getExpiresAt().toInstant().isAfter(now)) {
          return cached.getToken();
        }
        // The message is Entra's own; a token is never part of it.
        throw new TokenUnavailable("Could not get a Microsoft Entra token for " + scope + ": " + e.getMessage());
      }
    }
    return cached.getToken();
  }

  /** No token to connect with now; a later attempt may get one. */
  public static final class TokenUnavailable extends RuntimeException {
    TokenUnavailable(String message) {
      super(message);
    }
  }
}
