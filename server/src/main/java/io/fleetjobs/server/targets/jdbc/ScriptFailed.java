package io.fleetjobs.server.targets.jdbc;

import java.util.List;

/**
 * A batch failed on the target: the server's own error, which batch it was, and the messages the
 * script printed before it failed, which are often what explains the failure.
 */
public final class ScriptFailed extends RuntimeException {
  public ScriptFailed(String error, List<String> messages, Throwable cause) {
    super(error + Messages.suffix(messages), cause);
  }
}
