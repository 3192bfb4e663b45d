package io.fleetjobs.common.secrets;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;

/**
 * Where a secret is read when it is used, instead of its value: a file (a Kubernetes or Docker secret) or an
 * environment variable of the agent. Only variables named {@value #ENV_PREFIX}… can be referred to, so a
 * reference cannot read the agent's own settings (its master key, its database URL). The reference is shown; the
 * value never is.
 */
public record SecretReference(String file, String env) {
  public static final String ENV_PREFIX = "FLEETJOBS_SECRET_";

  /**
   * @param field the request's name for the reference, for the error
   * @return null when {@code json} is null
   */
  public static SecretReference fromJson(JsonObject json, String field) {
    if (json == null) {
      return null;
    }
    String file = json.getValue("file") instanceof String f ? f : null;
    String env = json.getValue("env") instanceof String e ? e : null;
    if (json.size() != 1 || (file == null) == (env == null)) {
      throw new InvalidInput(field, field + " takes exactly one of file and env, such as {\"file\": "
        + "\"/run/secrets/db\"} or {\"env\": \"" + ENV_PREFIX + "DB\"}.");
    }
    if (file != null && (file.isBlank() || file.indexOf('\0') >= 0 || !Path.of(file).isAbsolute())) {
      throw new InvalidInput(field + ".file", "The secret's file must be an absolute path, such as /run/secrets/db.");
    }
    if (env != null && !env.matches(ENV_PREFIX + "[A-Z0-9_]+")) {
      throw new InvalidInput(field + ".env", "Only variables whose name starts with " + ENV_PREFIX
        + " (upper case, digits and _) can hold a secret, so a reference cannot read the agent's own settings.");
    }
    return new SecretReference(file, env);
  }

  public JsonObject toJson() {
    return file != null ? new JsonObject().put("file", file) : new JsonObject().put("env", env);
  }

  /** For messages: which file or variable, never what it holds. */
  public String describe() {
    return file != null ? "the file " + file : "the variable " + env;
  }
}
