package io.fleetjobs.server.targets.sqlserver;

import com.microsoft.sqlserver.jdbc.ISQLServerBulkData;
import io.fleetjobs.server.targets.OutputTable;
import io.fleetjobs.server.targets.ScriptResult;
import java.sql.Types;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A result's rows as bulk copy reads them, one at a time: the execution id, the target's server and
 * database, then the values, each column with the JDBC type the target reported (so a NULL is typed) and the
 * precision and scale its output column has.
 */
final class OutputRows implements ISQLServerBulkData {
  private static final long serialVersionUID = 1L;
  private static final List<String> FIXED = List.of("internal_execution_id", "target_server_name",
    "target_database_name");

  private final transient OutputTable table;
  private final transient List<ScriptResult.Column> columns;
  private final transient Iterator<List<Object>> rows;
  private transient List<Object> current;

  OutputRows(OutputTable table, List<ScriptResult.Column> columns, List<List<Object>> rows) {
    this.table = table;
    this.columns = columns;
    this.rows = rows.iterator();
  }

  int width() {
    return FIXED.size() + columns.size();
  }

  @Override
  public Set<Integer> getColumnOrdinals() {
    Set<Integer> ordinals = new LinkedHashSet<>();
    IntStream.rangeClosed(1, width()).forEach(ordinals::add);
    return ordinals;
  }

  @Override
  public String getColumnName(int column) {
    return column <= FIXED.size() ? FIXED.get(column - 1) : columns.get(column - FIXED.size() - 1).name();
  }

  /** The execution id goes as text, which bulk copy converts to uniqueidentifier. */
  @Override
  public int getColumnType(int column) {
    if (column == 1) {
      return Types.CHAR;
    }
    if (column <= FIXED.size()) {
      return Types.NVARCHAR;
    }
    int type = result(column).jdbcType();
    return type == Types.NULL ? Types.NVARCHAR : type;
  }

  @Override
  public int getPrecision(int column) {
    return column <= FIXED.size() ? 0 : precision(result(column).typeName());
  }

  @Override
  public int getScale(int column) {
    return column <= FIXED.size() ? 0 : scale(result(column).typeName());
  }

  @Override
  public Object[] getRowData() {
    Object[] data = new Object[width()];
    data[0] = table.jobExecutionId().toString();
    data[1] = table.targetServer();
    data[2] = table.targetDatabase();
    for (int i = 0; i < columns.size(); i++) {
      data[FIXED.size() + i] = current.get(i);
    }
    return data;
  }

  @Override
  public boolean next() {
    current = rows.hasNext() ? rows.next() : null;
    return current != null;
  }

  private ScriptResult.Column result(int column) {
    return columns.get(column - FIXED.size() - 1);
  }

  /** decimal(38,4) has 38 digits; (max) text and bytes stream; other types need none. */
  private static int precision(String type) {
    if (type.endsWith("(max)")) {
      return Integer.MAX_VALUE;
    }
    int open = type.indexOf('(');
    if (open < 0 || !type.startsWith("decimal") && !type.startsWith("numeric")) {
      return 0;
    }
    int comma = type.indexOf(',', open);
    return Integer.parseInt(type.substring(open + 1, comma < 0 ? type.indexOf(')') : comma).trim());
  }

  private static int scale(String type) {
    int comma = type.indexOf(',');
    if (comma >= 0) {
      return Integer.parseInt(type.substring(comma + 1, type.indexOf(')', comma)).trim());
    }
    int open = type.indexOf('(');
    return open >= 0 && !type.endsWith("(max)") && (type.startsWith("datetime2") || type.startsWith("time")
      || type.startsWith("datetimeoffset")) ? Integer.parseInt(type.substring(open + 1, type.indexOf(')'))) : 0;
  }
}
