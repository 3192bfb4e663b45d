package io.fleetjobs.server.targets;

import java.util.ArrayList;
import java.util.List;

/**
 * The informational messages of one script run: PRINT and low-severity RAISERROR on SQL Server, NOTICE,
 * INFO and WARNING on PostgreSQL. Bounded, so a script printing in a loop cannot fill the job database.
 * Used by one thread at a time: a JDBC run's worker thread, or a PostgreSQL connection's event loop.
 */
public final class Messages {
  static final int MAX_MESSAGES = 200;
  static final int MAX_CHARS = 16_000;

  private final List<String> kept = new ArrayList<>();
  private int chars;
  private int dropped;

  public void add(String text) {
    if (text == null) {
      return;
    }
    if (kept.size() >= MAX_MESSAGES || chars + text.length() > MAX_CHARS) {
      dropped++;
    } else {
      kept.add(text);
      chars += text.length();
    }
  }

  public List<String> list() {
    List<String> all = new ArrayList<>(kept);
    if (dropped > 0) {
      all.add("(" + dropped + " more messages not kept)");
    }
    return List.copyOf(all);
  }

  /** How messages follow a target's status line in lastMessage. */
  public static String suffix(List<String> messages) {
    return messages.isEmpty() ? "" : "\nMessages:\n" + String.join("\n", messages);
  }
}
