package io.fleetjobs.server.targets.sqlserver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientCertificateCredential;
import com.azure.identity.ClientSecretCredential;
import com.azure.identity.DefaultAzureCredential;
import com.azure.identity.ManagedIdentityCredential;
import io.fleetjobs.server.config.AgentConfig;
import io.fleetjobs.server.config.SqlServerSettings;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.jdbc.JdbcAuth;
import io.fleetjobs.server.targets.jdbc.TargetAuthenticator;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The agent's Entra identity: configuration per mode, azure-identity credentials, and token caching. */
class EntraAuthenticationTest {

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    private Instant now = Instant.parse("2030-01-01T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  /** Hands out numbered tokens valid for an hour from the clock's now, and records the scopes asked for. */
  private static final class CountingCredential implements TokenCredential {
    final List<List<String>> requests = new ArrayList<>();
    final MovableClock clock;

    CountingCredential(MovableClock clock) {
      this.clock = clock;
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
      requests.add(request.getScopes());
      return Mono.just(new AccessToken("token-" + requests.size(),
        OffsetDateTime.ofInstant(clock.instant().plus(Duration.ofHours(1)), ZoneOffset.UTC)));
    }
  }

  @Test
  void a_token_is_cached_until_five_minutes_before_it_expires_then_fetched_again() {
    MovableClock clock = new MovableClock();
    CountingCredential credential = new CountingCredential(clock);
    AccessTokens tokens = new AccessTokens(credential, clock);
    String spn = AccessTokens.PUBLIC_CLOUD;
    assertEquals("token-1", tokens.forResource(spn).value());
    clock.advance(Duration.ofMinutes(54));
    assertEquals("token-1", tokens.forResource(spn).value(), "still six minutes to go: the cached token serves");
    clock.advance(Duration.ofMinutes(2));
    assertEquals("token-2", tokens.forResource(spn).value(), "four minutes before expiry it is refreshed");
    assertEquals("token-2", tokens.forResource(spn).value());
    assertEquals(List.of(List.of("https://database.windows.net//.default"),
      List.of("https://database.windows.net//.default")), credential.requests);
  }

  @Test
  void the_scope_follows_the_servers_spn_so_every_cloud_gets_its_own_token() {
    MovableClock clock = new MovableClock();
    CountingCredential credential = new CountingCredential(clock);
    AccessTokens tokens = new AccessTokens(credential, clock);
    assertEquals("token-1", tokens.forResource("https://database.usgovcloudapi.net/").value());
    assertEquals("token-2", tokens.forResource("https://database.chinacloudapi.cn/").value());
    assertEquals("token-1", tokens.forResource("https://database.usgovcloudapi.net/").value(), "cached per cloud");
    assertEquals(List.of(List.of("https://database.usgovcloudapi.net//.default"),
      List.of("https://database.chinacloudapi.cn//.default")), credential.requests);
  }

  @Test
  void a_token_that_cannot_be_had_fails_the_connection_with_entras_reason() {
    AccessTokens tokens = new AccessTokens(request -> Mono.error(new IllegalStateException("AADSTS700016: no such app")),
      Clock.systemUTC());
    AccessTokens.TokenUnavailable failure = assertThrows(AccessTokens.TokenUnavailable.class,
      () -> tokens.forResource(AccessTokens.PUBLIC_CLOUD));
    assertTrue(failure.getMessage().contains("AADSTS700016"), failure.getMessage());
  }

  @Test
  void a_failed_refresh_keeps_the_cached_token_while_it_is_valid_then_fails() {
    MovableClock clock = new MovableClock();
    boolean[] entraDown = {false};
    CountingCredential working = new CountingCredential(clock);
    AccessTokens tokens = new AccessTokens(request -> entraDown[0]
      ? Mono.error(new IllegalStateException("429 Too Many Requests")) : working.getToken(request), clock);
    String spn = AccessTokens.PUBLIC_CLOUD;
    assertEquals("token-1", tokens.forResource(spn).value());
    entraDown[0] = true;
    clock.advance(Duration.ofMinutes(57));
    assertEquals("token-1", tokens.forResource(spn).value(), "the refresh failed, but the token is good for three more minutes");
    clock.advance(Duration.ofMinutes(4));
    AccessTokens.TokenUnavailable failure = assertThrows(AccessTokens.TokenUnavailable.class,
      () -> tokens.forResource(spn));
    assertTrue(failure.getMessage().contains("429"), failure.getMessage());
    entraDown[0] = false;
    assertEquals("token-2", tokens.forResource(spn).value(), "a later attempt gets a token again");
  }

  @Test
  void each_mode_builds_its_azure_identity_credential_and_reports_its_method() {
    assertInstanceOf(ManagedIdentityCredential.class, EntraCredentials.of(settings(new JsonObject()
      .put("entraMode", "ManagedIdentity").put("entraClientId", "00000000-0000-0000-0000-000000000001")).entra()));
    assertInstanceOf(ClientSecretCredential.class, EntraCredentials.of(settings(servicePrincipal()
      .put("entraClientSecret", "sp-secret")).entra()));
    assertInstanceOf(ClientCertificateCredential.class, EntraCredentials.of(settings(servicePrincipal()
      .put("entraCertificatePath", "/etc/fleetjobs/sp.pem")).entra()));
    assertInstanceOf(DefaultAzureCredential.class, EntraCredentials.of(settings(new JsonObject()
      .put("entraMode", "defaultazurecredential")).entra()));

    assertEquals("SqlLogin", SqlServerTargets.authenticator(settings(new JsonObject())).method());
    for (String mode : List.of("ManagedIdentity", "ServicePrincipal", "DefaultAzureCredential")) {
      JsonObject json = mode.equals("ServicePrincipal") ? servicePrincipal().put("entraClientSecret", "x")
        : new JsonObject().put("entraMode", mode).put("entraClientId", "id");
      TargetAuthenticator authenticator = SqlServerTargets.authenticator(settings(json));
      assertEquals(mode, authenticator.method());
      assertFalse(authenticator.usesStoredCredentials());
    }
  }

  @Test
  void with_an_identity_stored_credentials_are_not_used_and_without_one_a_login_is_needed() {
    TargetAuthenticator identity = TargetAuthenticator.identity(new JdbcAuth.Token("ManagedIdentity",
      resource -> new JdbcAuth.IssuedToken("t", java.time.Instant.MAX)));
    assertInstanceOf(JdbcAuth.Token.class, identity.auth(new Login("sa", "pw"), "credential"));
    assertInstanceOf(JdbcAuth.Token.class, identity.auth(null, "credential"));
    TargetAuthenticator stored = TargetAuthenticator.storedCredentials();
    assertInstanceOf(JdbcAuth.Password.class, stored.auth(new Login("sa", "pw"), "credential"));
    InvalidInput missing = assertThrows(InvalidInput.class, () -> stored.auth(null, "refreshCredential"));
    assertEquals("refreshCredential", missing.target());
  }

  @Test
  void configuration_is_checked_per_mode_and_never_prints_the_secret() {
    assertThrows(IllegalArgumentException.class, () -> settings(new JsonObject().put("entraMode", "ManagedIdentity")),
      "a user-assigned identity is named by its client id");
    assertThrows(IllegalArgumentException.class, () -> settings(servicePrincipal()), "a secret or a certificate");
    assertThrows(IllegalArgumentException.class, () -> settings(servicePrincipal().put("entraClientSecret", "a")
      .put("entraCertificatePath", "b")));
    assertThrows(IllegalArgumentException.class, () -> settings(new JsonObject().put("entraMode", "Kerberos")));
    assertThrows(IllegalArgumentException.class, () -> settings(new JsonObject()
      .put("sqlserverTrustServerCertificate", "yes")));
    AgentConfig config = AgentConfig.fromJson(servicePrincipal().put("entraClientSecret", "very-secret")
      .put("sqlserverTrustServerCertificate", "true"));
    assertTrue(config.sqlserver().trustServerCertificate());
    assertFalse(config.toString().contains("very-secret"), config.toString());
    assertEquals("very-secret", AgentConfig.fromJson(config.toJson()).sqlserver().entra().clientSecret(),
      "verticles get the whole configuration");
  }

  private static JsonObject servicePrincipal() {
    return new JsonObject().put("entraMode", "ServicePrincipal").put("entraTenantId", "tenant")
      .put("entraClientId", "client");
  }

  private static SqlServerSettings settings(JsonObject json) {
    return AgentConfig.fromJson(json).sqlserver();
  }
}
