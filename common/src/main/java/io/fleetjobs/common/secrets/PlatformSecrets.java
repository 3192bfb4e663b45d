package io.fleetjobs.common.secrets;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads secrets the platform keeps (mounted files, environment variables) when they are used, so a rotated secret
 * is picked up by the next connection. A secret that is missing fails what needed it, plainly and without a
 * retry: only someone changing the platform's secrets fixes it.
 */
public final class PlatformSecrets {
  private final Vertx vertx;
  private final Map<String, String> environment;

  /** @param environment the agent's environment, read when a reference is used */
  public PlatformSecrets(Vertx vertx, Map<String, String> environment) {
    this.vertx = vertx;
    this.environment = environment;
  }

  /**
   * @param field what refers to the secret, for the error (passwordFrom)
   * @param owner whose secret it is, for the error (credential 'db')
   */
  public Future<String> read(SecretReference reference, String field, String owner) {
    if (reference.env() != null) {
      String value = environment.get(reference.env());
      return value == null || value.isEmpty()
        ? Future.failedFuture(missing(reference, field, owner, "is not set"))
        : Future.succeededFuture(value);
    }
    // A mounted secret usually ends with a newline that is not part of it, as Docker and kubectl write them.
    return vertx.executeBlocking(() -> stripOneNewline(Files.readString(Path.of(reference.file()),
        StandardCharsets.UTF_8)), false)
      .recover(e -> Future.failedFuture(missing(reference, field, owner,
        e instanceof IOException ? "does not exist or cannot be read" : "cannot be read")))
      .compose(value -> value.isEmpty()
        ? Future.failedFuture(missing(reference, field, owner, "is empty"))
        : Future.succeededFuture(value));
  }

  private static InvalidInput missing(SecretReference reference, String field, String owner, String why) {
    return new InvalidInput("SecretUnavailable", field, "The " + field + " of " + owner + " is read from "
      + reference.describe() + ", which " + why + ".");
  }

  private static String stripOneNewline(String value) {
    if (value.endsWith("\r\n")) {
      return value.substring(0, value.length() - 2);
    }
    return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
  }
}
