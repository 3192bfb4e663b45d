package io.fleetjobs.server.config;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How the agent secures connections to postgresql and mysql targets when a member says nothing itself: the TLS
 * mode, in each engine's own words, and the certificates that verification and client authentication use.
 *
 * @param postgresSslMode libpq's sslmode for members without one; prefer by default, as libpq's
 * @param postgresSslRootCert a PEM bundle of the authorities that verify-ca and verify-full trust; null: the JVM's
 *     trust store
 * @param postgresSslCert the agent's client certificate (PEM), sent to servers that ask for one (cert
 *     authentication); with {@code postgresSslKey}
 * @param postgresSslKey the client certificate's private key (PEM, PKCS#8)
 * @param mysqlSslMode MySQL's --ssl-mode for members without one; PREFERRED by default, as the mysql client's
 * @param mysqlSslCa a PEM bundle for VERIFY_CA and VERIFY_IDENTITY; null: the JVM's trust store
 */
public record TargetSettings(String postgresSslMode, String postgresSslRootCert, String postgresSslCert,
                             String postgresSslKey, String mysqlSslMode, String mysqlSslCa) {
  public static final List<String> POSTGRES_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca",
    "verify-full");
  public static final List<String> MYSQL_MODES = List.of("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA",
    "VERIFY_IDENTITY");

  static TargetSettings fromJson(JsonObject json) {
    TargetSettings settings = new TargetSettings(
      oneOf(json, "postgresSslMode", "prefer", POSTGRES_MODES),
      blankToNull(json.getString("postgresSslRootCert")),
      blankToNull(json.getString("postgresSslCert")),
      blankToNull(json.getString("postgresSslKey")),
      oneOf(json, "mysqlSslMode", "PREFERRED", MYSQL_MODES),
      blankToNull(json.getString("mysqlSslCa")));
    if ((settings.postgresSslCert() == null) != (settings.postgresSslKey() == null)) {
      throw new IllegalArgumentException("postgresSslCert and postgresSslKey go together: a client certificate and "
        + "its private key");
    }
    return settings;
  }

  void putInto(JsonObject json) {
    json.put("postgresSslMode", postgresSslMode)
      .put("postgresSslRootCert", postgresSslRootCert)
      .put("postgresSslCert", postgresSslCert)
      .put("postgresSslKey", postgresSslKey)
      .put("mysqlSslMode", mysqlSslMode)
      .put("mysqlSslCa", mysqlSslCa);
  }

  private static String oneOf(JsonObject json, String key, String defaultValue, List<String> allowed) {
    String value = blankToNull(json.getString(key));
    if (value == null) {
      return defaultValue;
    }
    if (!allowed.contains(value.trim())) {
      throw new IllegalArgumentException(key + " must be one of " + String.join(", ", allowed) + ", not " + value);
    }
    return value.trim();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
