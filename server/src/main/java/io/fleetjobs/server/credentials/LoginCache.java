package io.fleetjobs.server.credentials;

import io.fleetjobs.server.targets.Login;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opened logins by credential id, for a short while: a run over a thousand targets opens its credential
 * once, and a replaced password is picked up within the time to live.
 */
public final class LoginCache {
  private static final Duration TIME_TO_LIVE = Duration.ofSeconds(30);

  private record Entry(Login login, Instant expires) {
  }

  private final CredentialRepository credentials;
  private final Clock clock;
  private final Map<UUID, Entry> cache = new ConcurrentHashMap<>();

  public LoginCache(CredentialRepository credentials, Clock clock) {
    this.credentials = credentials;
    this.clock = clock;
  }

  public Future<Login> get(UUID credentialId) {
    Entry entry = cache.get(credentialId);
    if (entry != null && entry.expires().isAfter(clock.instant())) {
      return Future.succeededFuture(entry.login());
    }
    return credentials.login(credentialId)
      .onSuccess(login -> cache.put(credentialId, new Entry(login, clock.instant().plus(TIME_TO_LIVE))));
  }
}
