package io.fleetjobs.bench.support;

import java.util.List;

/**
 * How long a finished execution took, read from the job database's own records (its clock), split into the
 * expansion (from the execution's creation to its databases' target rows) and the run (from the first target's
 * start to the last one's recorded end).
 *
 * @param targets  database targets (listings of SqlServer members are not counted)
 * @param failed   of those, the targets that ended Failed
 */
public record ExecutionTimes(double wallSeconds, double expansionSeconds, double runSeconds, int targets,
                             int succeeded, int failed) {
  public static ExecutionTimes of(JobDatabases server, String database, String executionId) throws Exception {
    List<String> row = server.rows(database, """
        SELECT extract(epoch FROM max(t.end_time) - e.create_time),
               extract(epoch FROM min(t.create_time) - e.create_time),
               extract(epoch FROM max(t.end_time) - min(t.start_time)),
               count(*), count(*) FILTER (WHERE t.lifecycle = 'Succeeded'),
               count(*) FILTER (WHERE t.lifecycle = 'Failed')
          FROM jobs_internal.target_executions t
          JOIN jobs_internal.job_executions e USING (job_execution_id)
         WHERE e.job_execution_id = ?::uuid AND NOT t.expands_member
         GROUP BY e.create_time""", executionId).get(0);
    return new ExecutionTimes(Double.parseDouble(row.get(0)), Double.parseDouble(row.get(1)),
      Double.parseDouble(row.get(2)), Integer.parseInt(row.get(3)), Integer.parseInt(row.get(4)),
      Integer.parseInt(row.get(5)));
  }
}
