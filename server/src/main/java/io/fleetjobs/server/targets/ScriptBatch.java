package io.fleetjobs.server.targets;

/**
 * One batch of a script, as sqlcmd sends it: the text between two GO lines, run {@code repeat} times
 * ({@code GO 3}). {@code firstLine} is where it starts in the script, for error messages.
 */
public record ScriptBatch(String sql, int repeat, int firstLine) {
}
