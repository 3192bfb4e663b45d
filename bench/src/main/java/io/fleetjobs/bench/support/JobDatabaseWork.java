package io.fleetjobs.bench.support;

import java.util.List;

/**
 * What a run cost the job database, per target: committed transactions, rows inserted or updated, WAL bytes,
 * and the job-database time of the engine's statements by kind (from pg_stat_statements, top-level calls, so
 * a routine's time includes everything it does inside). The whole cluster's WAL is counted: during a run only
 * the agent under test writes to it.
 */
public record JobDatabaseWork(double transactions, double rowsWritten, double walBytes, double claimMs,
                              double recordMs, double expansionMs, double otherMs, Table statements) {
  /** PostgreSQL 14 reports database statistics at most every 500 ms; reads wait for the reports to arrive. */
  private static final long STATS_DELAY_MS = 1500;

  /** Where counting started. */
  public record Mark(JobDatabases server, String database, long transactions, long rowsWritten, String walLsn) {
    /** The work done since the mark, divided by {@code targets}. */
    public JobDatabaseWork perTarget(int targets) throws Exception {
      Thread.sleep(STATS_DELAY_MS);
      long[] counts = counts(server, database);
      double wal = server.number(database, "SELECT pg_current_wal_lsn() - ?::pg_lsn", walLsn);
      double claim = 0;
      double record = 0;
      double expansion = 0;
      double other = 0;
      Table statements = new Table("statement", "calls / target", "ms / target", "rows / call");
      for (List<String> statement : server.rows(database, """
          SELECT query, total_exec_time, calls, rows FROM pg_stat_statements
           WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           ORDER BY total_exec_time DESC""")) {
        String query = statement.get(0);
        double ms = Double.parseDouble(statement.get(1));
        long calls = Long.parseLong(statement.get(2));
        if (ms / targets >= 0.005) {
          String text = query.replaceAll("\\s+", " ").replace("|", "\\|");
          statements.row("`" + text.substring(0, Math.min(70, text.length())) + "`",
            String.format("%.3f", calls / (double) targets), ms / targets,
            String.format("%.1f", Long.parseLong(statement.get(3)) / (double) calls));
        }
        if (query.contains("claim_targets(")) {
          claim += ms;
        } else if (query.contains("finish_target") || query.contains("lease_until = now()")) {
          record += ms;                                   // results, and the lease renewals while targets run
        } else if (query.contains("claim_expansions(") || query.contains("start_step(")
          || query.contains("claim_members(") || query.contains("finish_member(")) {
          expansion += ms;
        } else {
          other += ms;
        }
      }
      return new JobDatabaseWork((counts[0] - transactions) / (double) targets,
        (counts[1] - rowsWritten) / (double) targets, wal / targets, claim / targets, record / targets,
        expansion / targets, other / targets, statements);
    }
  }

  static Mark mark(JobDatabases server, String database) throws Exception {
    Thread.sleep(STATS_DELAY_MS);
    server.rows(database, "SELECT pg_stat_statements_reset()::text");
    long[] counts = counts(server, database);
    String lsn = server.rows(database, "SELECT pg_current_wal_lsn()::text").get(0).get(0);
    return new Mark(server, database, counts[0], counts[1], lsn);
  }

  private static long[] counts(JobDatabases server, String database) throws Exception {
    List<String> row = server.rows(database, "SELECT xact_commit, tup_inserted + tup_updated FROM pg_stat_database"
      + " WHERE datname = current_database()").get(0);
    return new long[] {Long.parseLong(row.get(0)), Long.parseLong(row.get(1))};
  }
}
