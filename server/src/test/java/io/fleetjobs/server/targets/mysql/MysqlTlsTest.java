package io.fleetjobs.server.targets.mysql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetjobs.server.targets.ActionType;
import io.fleetjobs.server.targets.ConnectionSettings;
import io.fleetjobs.server.targets.Login;
import io.fleetjobs.server.targets.ScriptOptions;
import io.fleetjobs.server.targets.TargetFailures;
import io.fleetjobs.server.targets.TlsTrust;
import io.fleetjobs.server.testsupport.TestCertificates;
import io.fleetjobs.server.testsupport.TestMariaDb;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MySQL's --ssl-mode against a real MariaDB server with TLS on and a certificate from a test authority made for
 * this run: VERIFY_IDENTITY checks the name, VERIFY_CA the authority, REQUIRED only encrypts, and a login that
 * REQUIRE SSL refuses DISABLED.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MysqlTlsTest {
  private static final Login LOGIN = new Login("tls_user", "tls-password");
  private static final String CIPHER = "SELECT variable_value FROM information_schema.session_status "
    + "WHERE variable_name = 'Ssl_cipher'";
  private static TestMariaDb server;
  private static MysqlTargetDriver verifying;
  private static MysqlTargetDriver jvmTrust;

  @BeforeAll
  static void start(Vertx vertx) {
    TestCertificates ca = TestCertificates.authority("fleetjobs mysql test CA");
    server = TestMariaDb.start(ca.issue("mariadb", "localhost", "dns:localhost"), ca.caFile());
    server.sql("CREATE USER 'tls_user'@'%' IDENTIFIED BY 'tls-password' REQUIRE SSL; "
      + "GRANT ALL ON *.* TO 'tls_user'@'%'; CREATE DATABASE tls_app;");
    verifying = new MysqlTargetDriver(vertx, new MysqlTargetDriver.Settings("PREFERRED",
      TlsTrust.of(ca.caFile().toString())));
    jvmTrust = new MysqlTargetDriver(vertx, MysqlTargetDriver.Settings.defaults());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static String cipher(MysqlTargetDriver driver, String host, String mode) {
    Object value = driver.run(host + ":" + server.port(), "tls_app", LOGIN, ConnectionSettings.sslMode(mode), CIPHER,
      new ScriptOptions(ActionType.SQL, false, true, "fleetjobs/mysql-tls/step")).result().await().rows().get(0).get(0);
    return value.toString();
  }

  private static Throwable failure(MysqlTargetDriver driver, String host, String mode) {
    Future<Void> login = driver.testLogin(host + ":" + server.port(), "tls_app", LOGIN, ConnectionSettings.sslMode(mode));
    return assertThrows(CompletionException.class, () -> login.toCompletionStage().toCompletableFuture().join())
      .getCause();
  }

  @Test
  void verify_identity_with_the_right_authority_and_name_connects_encrypted() {
    assertFalse(cipher(verifying, "localhost", "VERIFY_IDENTITY").isEmpty());
  }

  @Test
  void a_certificate_for_another_host_is_refused_plainly_and_not_retried() {
    Throwable refused = failure(verifying, "127.0.0.1", "VERIFY_IDENTITY");
    assertEquals("certificate for localhost does not match host 127.0.0.1 (sslMode VERIFY_IDENTITY)",
      refused.getMessage());
    assertFalse(TargetFailures.classify(refused).retryable());
    assertFalse(cipher(verifying, "127.0.0.1", "VERIFY_CA").isEmpty(), "VERIFY_CA does not check the name");
    Throwable unknown = failure(jvmTrust, "localhost", "VERIFY_CA");
    assertTrue(unknown.getMessage().contains("is not signed by an authority in the JVM's trust store"),
      unknown.getMessage());
  }

  @Test
  void required_encrypts_without_an_authority_and_disabled_is_refused_by_require_ssl() {
    assertFalse(cipher(jvmTrust, "127.0.0.1", "REQUIRED").isEmpty());
    assertEquals("PREFERRED", jvmTrust.sslMode(ConnectionSettings.DEFAULT));
    Throwable refused = failure(jvmTrust, "127.0.0.1", "DISABLED");
    assertTrue(refused.getMessage().contains("Access denied") && refused.getMessage().endsWith("(sslMode DISABLED)"),
      refused.getMessage());
    assertFalse(TargetFailures.classify(refused).retryable());
  }
}
