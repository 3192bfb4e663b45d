package io.fleetjobs.server.targets.jdbc;

import java.util.List;

/**
 * A batch failed on the target: the server's own error, which batch it was, and the messages the
 * script printed before it failed, which are often what explains the failure.
 */
public final class ScriptFailed extends RuntimeException {
  private final transient List<String> messages;

  public ScriptFailed(String error, List<String> messages, Throwable cause) {
    super(error + Messages.suffix(messages), cause);
    this.messages = List.copyOf(messages);
  }

  /** What the script printed before it failed, or was cancelled. */
  public List<String> messages() {
    return messages;
  }
}
