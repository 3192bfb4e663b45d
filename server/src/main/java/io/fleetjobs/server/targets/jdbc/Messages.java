package io.fleetjobs.server.targets.jdbc;

import java.sql.SQLWarning;
import java.util.ArrayList;
import java.util.List;

/**
 * The informational messages of one script run, from JDBC's warning chains: mssql-jdbc reports PRINT and
 * low-severity RAISERROR there, the PostgreSQL driver its NOTICEs. Bounded, so a script printing in a
 * loop cannot fill the job database. Called from one worker thread at a time.
 */
public final class Messages {
  static final int MAX_MESSAGES = 200;
  static final int MAX_CHARS = 16_000;

  private final List<String> kept = new ArrayList<>();
  private int chars;
  private int dropped;

  void add(SQLWarning chain) {
    for (SQLWarning warning = chain; warning != null; warning = warning.getNextWarning()) {
      String text = warning.getMessage();
      if (text == null) {
        continue;
      }
      if (kept.size() >= MAX_MESSAGES || chars + text.length() > MAX_CHARS) {
        dropped++;
      } else {
        kept.add(text);
        chars += text.length();
      }
    }
  }

  List<String> list() {
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
