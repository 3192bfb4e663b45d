package io.fleetjobs.server.targets;

/**
 * A step's action type (command_type): which client's rules cut its script. A step that names none gets
 * TSql when its group has a sqlserver member, Sql otherwise (jobs_internal.default_command_type).
 */
public enum ActionType {
  /**
   * sqlcmd's rules first: a line holding only GO ends a batch, GO n repeats it. On SQL Server each batch is
   * sent whole; on PostgreSQL each batch is then cut into statements as psql cuts a script.
   */
  TSQL("TSql"),
  /**
   * The engine's own SQL, with no batch separator: psql's statements on PostgreSQL, where a GO line is a
   * syntax error as in psql; on SQL Server the whole script is one batch.
   */
  SQL("Sql");

  private final String value;

  ActionType(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }

  /** @param value as stored: TSql or Sql; null (a step read before it had one) is TSql, Elastic Jobs' only type */
  public static ActionType of(String value) {
    if (value == null || value.equals(TSQL.value)) {
      return TSQL;
    }
    if (value.equals(SQL.value)) {
      return SQL;
    }
    throw new IllegalArgumentException("Unknown action type '" + value + "'.");
  }
}
