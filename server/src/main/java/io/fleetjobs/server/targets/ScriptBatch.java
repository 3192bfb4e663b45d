package io.fleetjobs.server.targets;

/**
 * One batch of a script, as sqlcmd sends it: the text between two GO lines, run {@code repeat} times
 * ({@code GO 3}). {@code firstLine} is where it starts in the script, for error messages.
 * {@code continueOnError} is sqlcmd's {@code :on error ignore} in force when the batch was sent: its failure
 * is reported among the messages and the script goes on.
 */
public record ScriptBatch(String sql, int repeat, int firstLine, boolean continueOnError) {
  public ScriptBatch(String sql, int repeat, int firstLine) {
    this(sql, repeat, firstLine, false);
  }
}
