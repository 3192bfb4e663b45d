package io.fleetjobs.bench.support;

import java.util.ArrayList;
import java.util.List;

/** A Markdown table printed as the benchmark goes, so its output pastes into BENCHMARKS.md as it is. */
public final class Table {
  private final List<String> header;
  private final List<List<String>> rows = new ArrayList<>();

  public Table(String... header) {
    this.header = List.of(header);
  }

  public Table row(Object... cells) {
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(cell instanceof Double d ? String.format(java.util.Locale.ROOT, "%.3f", d) : String.valueOf(cell));
    }
    rows.add(row);
    // Each row as it is measured, so a long run shows its progress; the table follows when it is complete.
    System.err.println("  measured: " + String.join(" | ", row));
    return this;
  }

  public void print(String title) {
    StringBuilder out = new StringBuilder("\n### ").append(title).append("\n\n| ")
      .append(String.join(" | ", header)).append(" |\n|");
    header.forEach(h -> out.append("---|"));
    out.append('\n');
    rows.forEach(row -> out.append("| ").append(String.join(" | ", row)).append(" |\n"));
    System.out.print(out);
    System.out.flush();
  }
}
