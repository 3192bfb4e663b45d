package io.fleetjobs.server.targets;

import java.util.List;

/**
 * A script failed on the target: the server's own error (its cause, so the retry classification sees its
 * SQLSTATE or error number), which batch or statement it was, and the messages the script printed before it
 * failed, which are often what explains the failure.
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
