package io.fleetjobs.server.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the configuration file (JSON or YAML, named by {@code --config} or {@code FLEETJOBS_CONFIG})
 * and applies the {@code FLEETJOBS_*} environment overrides on top, in this one place.
 */
public final class ConfigLoader {
  static final String ENV_PREFIX = "FLEETJOBS_";
  private static final String CONFIG_FILE_ENV = "FLEETJOBS_CONFIG";

  private ConfigLoader() {
  }

  public static Future<AgentConfig> load(Vertx vertx, String[] args, Map<String, String> env) {
    return json(vertx, args, env)
      .map(AgentConfig::fromJson);
  }

  private static Future<JsonObject> json(Vertx vertx, String[] args, Map<String, String> env) {
    String file = configFile(args, env);
    if (file == null) {
      return Future.succeededFuture(withEnvOverrides(new JsonObject(), env));
    }
    ConfigStoreOptions store = new ConfigStoreOptions()
      .setType("file")
      .setFormat(file.endsWith(".yaml") || file.endsWith(".yml") ? "yaml" : "json")
      .setConfig(new JsonObject().put("path", file));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions()
      .setScanPeriod(0)
      .addStore(store));
    return retriever.getConfig()
      .map(json -> withEnvOverrides(json, env))
      .eventually(retriever::close);
  }

  /** FLEETJOBS_EMBEDDED_DB_PORT becomes embeddedDbPort, and so on for every FLEETJOBS_ variable. */
  static JsonObject withEnvOverrides(JsonObject fileConfig, Map<String, String> env) {
    JsonObject merged = fileConfig.copy();
    env.forEach((name, value) -> {
      if (name.startsWith(ENV_PREFIX) && !name.equals(CONFIG_FILE_ENV)) {
        merged.put(camelCase(name.substring(ENV_PREFIX.length())), value);
      }
    });
    return merged;
  }

  static String camelCase(String screamingSnake) {
    StringBuilder key = new StringBuilder();
    for (String word : screamingSnake.toLowerCase(Locale.ROOT).split("_")) {
      if (word.isEmpty()) {
        continue;
      }
      key.append(key.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return key.toString();
  }

  private static String configFile(String[] args, Map<String, String> env) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--config")) {
        return args[i + 1];
      }
    }
    return env.get(CONFIG_FILE_ENV);
  }
}
