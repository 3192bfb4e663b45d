package io.fleetjobs.server.config;

import io.fleetjobs.alerts.AlertsConfig;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The agent's whole configuration, read once from {@link ConfigLoader}'s JSON. Each default is written
 * here, at its read site. A null {@code dbUrl} means the embedded job database under {@code dataDir}.
 * A null {@code tier} keeps the tier stored in the job database (JA100 on a new one). An {@code embeddedDbPort}
 * of 0 means the port the embedded job database kept in {@code dataDir} (any free one on its first start).
 */
public record AgentConfig(
  String httpHost,
  int httpPort,
  HttpLimits httpLimits,
  Path dataDir,
  String dbUrl,
  int embeddedDbPort,
  String masterKey,
  Path masterKeyFile,
  String bootstrapAdminToken,
  Tier tier,
  EngineSettings engine,
  AlertsConfig alerts,
  SqlServerSettings sqlserver,
  TelemetrySettings telemetry,
  TargetSettings targets) {

  /**
   * How the execution engine paces itself. {@code enumerationTimeoutSeconds} bounds listing one member's
   * databases, so a server that accepts the connection and never answers cannot hold a step.
   * {@code scheduleTickMs} is how often the scheduler looks for due occurrences.
   */
  public record EngineSettings(int leaseSeconds, int historyRetentionDays, long dispatchIntervalMs,
                               int enumerationTimeoutSeconds, int heartbeatSeconds, Integer agentMaxTargets,
                               long scheduleTickMs) {
    static EngineSettings fromJson(JsonObject json) {
      return new EngineSettings(
        positive(json, "leaseSeconds", 30),
        positive(json, "historyRetentionDays", 45),
        positive(json, "dispatchIntervalMs", 200),
        positive(json, "enumerationTimeoutSeconds", 30),
        positive(json, "heartbeatSeconds", 2),
        // No cap of its own by default: the agent takes its fair share of the tier.
        blankToNull(json.getValue("agentMaxTargets") == null ? null : json.getValue("agentMaxTargets").toString()) == null
          ? null : positive(json, "agentMaxTargets", 1),
        positive(json, "scheduleTickMs", 1000));
    }

    public Duration enumerationTimeout() {
      return Duration.ofSeconds(enumerationTimeoutSeconds);
    }
  }

  /**
   * What one client may hold of the HTTP server. A connection must deliver a request's head within
   * {@code headerTimeoutSeconds} of opening or of its previous response (so an idle keep-alive connection
   * also closes then), and its body within {@code bodyTimeoutSeconds} of the head; {@code idleTimeoutSeconds}
   * closes a connection that carries nothing either way, which a live stream never is (it writes every 5 s).
   * {@code maxConnectionsPerClient} caps the open connections of one remote address; 0 means no cap.
   */
  public record HttpLimits(int idleTimeoutSeconds, int headerTimeoutSeconds, int bodyTimeoutSeconds,
                           int maxConnectionsPerClient) {
    static HttpLimits fromJson(JsonObject json) {
      return new HttpLimits(
        positive(json, "httpIdleTimeoutSeconds", 120),
        positive(json, "httpHeaderTimeoutSeconds", 10),
        positive(json, "httpBodyTimeoutSeconds", 30),
        nonNegative(json, "httpMaxConnectionsPerClient", 128));
    }

    void putInto(JsonObject json) {
      json.put("httpIdleTimeoutSeconds", idleTimeoutSeconds)
        .put("httpHeaderTimeoutSeconds", headerTimeoutSeconds)
        .put("httpBodyTimeoutSeconds", bodyTimeoutSeconds)
        .put("httpMaxConnectionsPerClient", maxConnectionsPerClient);
    }
  }

  public static AgentConfig fromJson(JsonObject json) {
    String tier = blankToNull(json.getString("tier"));
    int httpPort = port(json, "httpPort", 8080);
    return new AgentConfig(
      json.getString("httpHost", "0.0.0.0"),
      httpPort,
      HttpLimits.fromJson(json),
      Path.of(json.getString("dataDir", "./fleetjobs-data")).toAbsolutePath().normalize(),
      blankToNull(json.getString("dbUrl")),
      port(json, "embeddedDbPort", 0),
      blankToNull(json.getString("masterKey")),
      blankToNull(json.getString("masterKeyFile")) == null ? null : Path.of(json.getString("masterKeyFile").trim()),
      blankToNull(json.getString("bootstrapAdminToken")),
      tier == null ? null : Tier.parse(tier),
      EngineSettings.fromJson(json),
      AlertsConfig.fromJson(json, httpPort),
      SqlServerSettings.fromJson(json),
      TelemetrySettings.fromJson(json),
      TargetSettings.fromJson(json));
  }

  public boolean embeddedDatabase() {
    return dbUrl == null;
  }

  public AgentConfig withDbUrl(String url) {
    return new AgentConfig(httpHost, httpPort, httpLimits, dataDir, url, embeddedDbPort, masterKey, masterKeyFile,
      bootstrapAdminToken, tier, engine, alerts, sqlserver, telemetry, targets);
  }

  public AgentConfig withMasterKey(String key) {
    return new AgentConfig(httpHost, httpPort, httpLimits, dataDir, dbUrl, embeddedDbPort, key, masterKeyFile,
      bootstrapAdminToken, tier, engine, alerts, sqlserver, telemetry, targets);
  }

  /** The inverse of {@link #fromJson}, for passing the resolved config to verticles. */
  public JsonObject toJson() {
    JsonObject json = alerts.toJson();
    sqlserver.putInto(json);
    httpLimits.putInto(json);
    telemetry.putInto(json);
    targets.putInto(json);
    return json
      .put("httpHost", httpHost)
      .put("httpPort", httpPort)
      .put("dataDir", dataDir.toString())
      .put("dbUrl", dbUrl)
      .put("embeddedDbPort", embeddedDbPort)
      .put("masterKey", masterKey)
      .put("masterKeyFile", masterKeyFile == null ? null : masterKeyFile.toString())
      .put("bootstrapAdminToken", bootstrapAdminToken)
      .put("tier", tier == null ? null : tier.name())
      .put("leaseSeconds", engine.leaseSeconds())
      .put("historyRetentionDays", engine.historyRetentionDays())
      .put("dispatchIntervalMs", engine.dispatchIntervalMs())
      .put("enumerationTimeoutSeconds", engine.enumerationTimeoutSeconds())
      .put("heartbeatSeconds", engine.heartbeatSeconds())
      .put("agentMaxTargets", engine.agentMaxTargets())
      .put("scheduleTickMs", engine.scheduleTickMs());
  }

  /** Secrets are never part of a printed config. */
  @Override
  public String toString() {
    return "AgentConfig[httpHost=" + httpHost + ", httpPort=" + httpPort + ", httpLimits=" + httpLimits
      + ", dataDir=" + dataDir
      + ", externalDb=" + (dbUrl != null) + ", embeddedDbPort=" + embeddedDbPort + ", tier=" + tier
      + ", engine=" + engine + ", alerts=" + alerts + ", sqlserver=" + sqlserver + ", telemetry=" + telemetry
      + ", targets=" + targets + "]";
  }

  // Environment overrides arrive as strings, files as numbers: accept both.
  private static int port(JsonObject json, String key, int defaultValue) {
    Object value = json.getValue(key);
    int port;
    try {
      port = value == null ? defaultValue : Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a port number, not " + value);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException(key + " must be between 0 and 65535, not " + port);
    }
    return port;
  }

  private static int positive(JsonObject json, String key, int defaultValue) {
    Object value = json.getValue(key);
    try {
      int parsed = value == null ? defaultValue : Integer.parseInt(value.toString().trim());
      if (parsed < 1) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a positive whole number, not " + value);
    }
  }

  private static int nonNegative(JsonObject json, String key, int defaultValue) {
    Object value = json.getValue(key);
    try {
      int parsed = value == null ? defaultValue : Integer.parseInt(value.toString().trim());
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, 0 or more, not " + value);
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
