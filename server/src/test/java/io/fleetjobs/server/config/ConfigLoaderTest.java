package io.fleetjobs.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @Test
  void no_configuration_means_the_embedded_default() {
    AgentConfig config = AgentConfig.fromJson(new JsonObject());
    assertEquals(8080, config.httpPort());
    assertTrue(config.embeddedDatabase());
    assertEquals(Path.of("fleetjobs-data").toAbsolutePath(), config.dataDir());
    assertNull(config.tier(), "no tier configured keeps the stored one");
    assertEquals(30, config.engine().leaseSeconds());
    assertEquals(45, config.engine().historyRetentionDays());
    assertEquals(0, config.embeddedDbPort());
    assertNull(config.masterKey());
  }

  @Test
  void documented_environment_variables_override_the_file() {
    JsonObject merged = ConfigLoader.withEnvOverrides(new JsonObject().put("httpPort", 9000).put("tier", "JA200"), Map.of(
      "FLEETJOBS_HTTP_PORT", "8181",
      "FLEETJOBS_DATA_DIR", "/var/lib/fleetjobs",
      "FLEETJOBS_DB_URL", "postgresql://u:p@db:5432/jobs",
      "FLEETJOBS_MASTER_KEY", "k",
      "FLEETJOBS_EMBEDDED_DB_PORT", "5544",
      "FLEETJOBS_BOOTSTRAP_ADMIN_TOKEN", "t",
      "FLEETJOBS_TIER", "JA400",
      "PATH", "/usr/bin"));
    AgentConfig config = AgentConfig.fromJson(merged);
    assertEquals(8181, config.httpPort());
    assertEquals(Path.of("/var/lib/fleetjobs"), config.dataDir());
    assertEquals("postgresql://u:p@db:5432/jobs", config.dbUrl());
    assertFalse(config.embeddedDatabase());
    assertEquals("k", config.masterKey());
    assertEquals(5544, config.embeddedDbPort());
    assertEquals("t", config.bootstrapAdminToken());
    assertEquals(Tier.JA400, config.tier());
    assertFalse(merged.containsKey("path"), "only FLEETJOBS_ variables are read");
  }

  @Test
  void yaml_file_named_on_the_command_line_is_read(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "httpPort: 7070\ntier: JA800\n");
    Vertx vertx = Vertx.vertx();
    try {
      AgentConfig config = ConfigLoader.load(vertx, new String[] {"--config", file.toString()},
        Map.of("FLEETJOBS_TIER", "JA200")).await();
      assertEquals(7070, config.httpPort());
      assertEquals(Tier.JA200, config.tier(), "the environment wins over the file");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void bad_values_are_refused_with_the_key_named() {
    assertTrue(assertThrows(IllegalArgumentException.class,
      () -> AgentConfig.fromJson(new JsonObject().put("httpPort", "eighty"))).getMessage().contains("httpPort"));
    assertTrue(assertThrows(IllegalArgumentException.class,
      () -> AgentConfig.fromJson(new JsonObject().put("tier", "JA1000"))).getMessage().contains("tier"));
  }

  @Test
  void telemetry_defaults_to_server_labels_and_text_logs_and_follows_its_variables() {
    TelemetrySettings defaults = AgentConfig.fromJson(new JsonObject()).telemetry();
    assertEquals(TelemetrySettings.TargetLabels.SERVER, defaults.metricsTargetLabels());
    assertEquals(TelemetrySettings.LogFormat.TEXT, defaults.logFormat());
    TelemetrySettings set = AgentConfig.fromJson(ConfigLoader.withEnvOverrides(new JsonObject(), Map.of(
      "FLEETJOBS_METRICS_TARGET_LABELS", "database",
      "FLEETJOBS_LOG_FORMAT", "JSON"))).telemetry();
    assertEquals(TelemetrySettings.TargetLabels.DATABASE, set.metricsTargetLabels());
    assertEquals(TelemetrySettings.LogFormat.JSON, set.logFormat());
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
      () -> AgentConfig.fromJson(new JsonObject().put("metricsTargetLabels", "cluster")));
    assertEquals("metricsTargetLabels must be one of server, database, none, not cluster", refused.getMessage());
    assertEquals("none", AgentConfig.fromJson(new JsonObject().put("metricsTargetLabels", "none")).toJson()
      .getString("metricsTargetLabels"), "the config passed to verticles keeps the setting");
  }

  @Test
  void printing_the_config_shows_no_secret() {
    String printed = AgentConfig.fromJson(new JsonObject().put("masterKey", "very-secret")
      .put("dbUrl", "postgresql://u:hunter2@db/jobs").put("bootstrapAdminToken", "tok")).toString();
    assertFalse(printed.contains("very-secret"));
    assertFalse(printed.contains("hunter2"));
    assertFalse(printed.contains("tok"));
  }

  @Test
  void target_tls_settings_and_secret_files_come_from_the_environment(@TempDir Path dir) throws Exception {
    Path smtp = dir.resolve("smtp-password");
    Files.writeString(smtp, "from-a-mounted-secret\n");
    Vertx vertx = Vertx.vertx();
    try {
      AgentConfig config = ConfigLoader.load(vertx, new String[0], Map.of(
        "FLEETJOBS_POSTGRES_SSL_MODE", "verify-full",
        "FLEETJOBS_POSTGRES_SSL_ROOT_CERT", "/etc/fleetjobs/ca.pem",
        "FLEETJOBS_MYSQL_SSL_MODE", "VERIFY_IDENTITY",
        "FLEETJOBS_MASTER_KEY_FILE", "/run/secrets/master-key",
        "FLEETJOBS_SMTP_PASSWORD_FILE", smtp.toString())).await();
      assertEquals(new TargetSettings("verify-full", "/etc/fleetjobs/ca.pem", null, null, "VERIFY_IDENTITY", null),
        config.targets());
      assertEquals(Path.of("/run/secrets/master-key"), config.masterKeyFile());
      assertEquals(smtp.toString(), config.alerts().smtp().passwordFrom().file(), "read at each use, not now");
      assertEquals(null, config.alerts().smtp().password());
      assertFalse(config.toString().contains("from-a-mounted-secret"));

      assertEquals("prefer", AgentConfig.fromJson(new JsonObject()).targets().postgresSslMode(),
        "libpq's default: TLS when the server offers it");
      assertEquals("PREFERRED", AgentConfig.fromJson(new JsonObject()).targets().mysqlSslMode());
      IllegalArgumentException mode = assertThrows(IllegalArgumentException.class, () -> AgentConfig.fromJson(
        new JsonObject().put("postgresSslMode", "VERIFY_CA")));
      assertTrue(mode.getMessage().startsWith("postgresSslMode must be one of"), mode.getMessage());
      assertThrows(IllegalArgumentException.class, () -> AgentConfig.fromJson(
        new JsonObject().put("postgresSslCert", "/a.pem")), "a client certificate needs its key");
      Throwable both = assertThrows(Exception.class, () -> ConfigLoader.load(vertx, new String[0],
        Map.of("FLEETJOBS_SMTP_PASSWORD_FILE", smtp.toString(), "FLEETJOBS_SMTP_PASSWORD", "x")).await());
      assertTrue(both.getMessage().contains("not both"), both.getMessage());
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void screaming_snake_becomes_camel_case() {
    assertEquals("embeddedDbPort", ConfigLoader.camelCase("EMBEDDED_DB_PORT"));
    assertEquals("tier", ConfigLoader.camelCase("TIER"));
  }

  @Test
  void sqlserver_connection_options_come_from_the_environment_and_tls_cannot_be_turned_off() {
    JsonObject merged = ConfigLoader.withEnvOverrides(new JsonObject(), Map.of(
      "FLEETJOBS_SQLSERVER_ENCRYPT", "strict",
      "FLEETJOBS_SQLSERVER_HOST_NAME_IN_CERTIFICATE", "sql.internal.example",
      "FLEETJOBS_SQLSERVER_SERVER_CERTIFICATE", "/etc/fleetjobs/sql.pem",
      "FLEETJOBS_SQLSERVER_MULTI_SUBNET_FAILOVER", "true",
      "FLEETJOBS_SQLSERVER_APPLICATION_INTENT", "readonly"));
    SqlServerSettings.Connection connection = AgentConfig.fromJson(merged).sqlserver().connection();
    assertEquals(new SqlServerSettings.Connection(true, "sql.internal.example", "/etc/fleetjobs/sql.pem", true,
      "ReadOnly"), connection);
    assertEquals(SqlServerSettings.Connection.DEFAULT, AgentConfig.fromJson(new JsonObject()).sqlserver().connection());
    IllegalArgumentException off = assertThrows(IllegalArgumentException.class,
      () -> AgentConfig.fromJson(new JsonObject().put("sqlserverEncrypt", "false")));
    assertTrue(off.getMessage().contains("always on"), off.getMessage());
  }
}
