package io.fleetjobs.server.targets;

import io.fleetjobs.common.errors.FleetJobsException;
import io.fleetjobs.common.errors.TargetUnreachable;
import io.vertx.core.VertxException;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.pgclient.PgException;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The one home of the retry classification: which errors from a target can succeed on a retry (connection
 * failures, deadlocks, lack of resources, a server restarting, a timeout) and which cannot (authentication,
 * syntax and access rules, bad data, integrity violations, a missing database). It reads SQLSTATEs and, for
 * SQL Server and MySQL, the engines' error numbers; never message text. Anything it does not know is retried,
 * as Elastic Jobs retries everything.
 */
public final class TargetFailures {
  /** What the output table's lock throws (sqlserver) when another target held it too long: retried. */
  public static final int OUTPUT_LOCK_TIMEOUT = 51000;
  /** What the output table's lock throws when sp_getapplock refused for another reason: a fault, not retried. */
  public static final int OUTPUT_LOCK_REFUSED = 51001;

  /** SQLSTATE classes (the first two characters) that no retry fixes. */
  private static final Map<String, String> PERMANENT_CLASSES = Map.of(
    "28", "the login was refused",
    "42", "a syntax error or access rule violation",
    "22", "a data exception",
    "23", "an integrity constraint violation");
  /** Whole SQLSTATEs that no retry fixes, outside those classes. */
  private static final Map<String, String> PERMANENT_STATES = Map.of(
    "3D000", "the database does not exist");
  /** Transient by class: connection exceptions and lack of resources. */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "53");
  /** Transient whole SQLSTATEs: serialization failure, deadlock, and a server shutting down or starting up. */
  private static final Set<String> TRANSIENT_STATES = Set.of("40001", "40P01", "57P01", "57P02", "57P03");
  /**
   * SQL Server error numbers no retry fixes. mssql-jdbc reports most server errors with SQLSTATE S0001, so
   * the number is what tells them apart.
   */
  private static final Map<Integer, String> SQLSERVER_PERMANENT = Map.ofEntries(
    Map.entry(18456, "the login was refused"),
    Map.entry(102, "a syntax error or access rule violation"),
    Map.entry(105, "a syntax error or access rule violation"),
    Map.entry(156, "a syntax error or access rule violation"),
    Map.entry(207, "a syntax error or access rule violation"),
    Map.entry(208, "a syntax error or access rule violation"),
    Map.entry(229, "a syntax error or access rule violation"),
    Map.entry(230, "a syntax error or access rule violation"),
    Map.entry(262, "a syntax error or access rule violation"),
    Map.entry(2812, "a syntax error or access rule violation"),
    Map.entry(245, "a data exception"),
    Map.entry(8114, "a data exception"),
    Map.entry(8134, "a data exception"),
    Map.entry(241, "a data exception"),
    Map.entry(515, "an integrity constraint violation"),
    Map.entry(547, "an integrity constraint violation"),
    Map.entry(2601, "an integrity constraint violation"),
    Map.entry(2627, "an integrity constraint violation"),
    Map.entry(911, "the database does not exist"),
    Map.entry(OUTPUT_LOCK_REFUSED, "the output table could not be locked"));
  /**
   * SQL Server and Azure SQL numbers Microsoft lists as transient: deadlock victim, database or service busy,
   * reconfiguring or failing over. 4060 is among them because Azure SQL reports it while a database fails over.
   */
  private static final Set<Integer> SQLSERVER_TRANSIENT = Set.of(1205, 4060, 4221, 10928, 10929, 40143, 40197,
    40501, 40540, 40613, 42108, 42109, 49918, 49919, 49920, OUTPUT_LOCK_TIMEOUT);
  /**
   * MySQL and MariaDB error numbers that a retry can fix: lock wait timeout (1205; on SQL Server the same number is
   * a deadlock, transient too), deadlock (1213, 1614), too many connections (1040, 1203), out of memory or disk
   * (1041, 1021), a server shutting down (1053), a connection killed or idle too long (1927, 4031), and a statement
   * past max_execution_time (3024). Many of them carry the catch-all SQLSTATE HY000, so the number decides.
   */
  private static final Set<Integer> MYSQL_TRANSIENT = Set.of(1205, 1213, 1614, 1040, 1203, 1041, 1021, 1053, 1927,
    4031, 3024);
  /** MySQL and MariaDB numbers no retry fixes, where the SQLSTATE (often HY000) does not tell. */
  private static final Map<Integer, String> MYSQL_PERMANENT = Map.ofEntries(
    Map.entry(1045, "the login was refused"),
    Map.entry(1044, "the login was refused"),
    Map.entry(1049, "the database does not exist"),
    Map.entry(1064, "a syntax error or access rule violation"),
    Map.entry(1142, "a syntax error or access rule violation"),
    Map.entry(1143, "a syntax error or access rule violation"),
    Map.entry(1227, "a syntax error or access rule violation"),
    Map.entry(1146, "a syntax error or access rule violation"),
    Map.entry(1054, "a syntax error or access rule violation"),
    Map.entry(1050, "a syntax error or access rule violation"),
    Map.entry(1051, "a syntax error or access rule violation"),
    Map.entry(1305, "a syntax error or access rule violation"),
    Map.entry(1062, "an integrity constraint violation"),
    Map.entry(1451, "an integrity constraint violation"),
    Map.entry(1452, "an integrity constraint violation"),
    Map.entry(1048, "an integrity constraint violation"),
    Map.entry(1264, "a data exception"),
    Map.entry(1292, "a data exception"),
    Map.entry(1365, "a data exception"),
    Map.entry(1366, "a data exception"),
    Map.entry(1406, "a data exception"));

  private TargetFailures() {
  }

  /** The failure's SQLSTATE, or SQL Server's error number where it has one: what a DBA looks the error up by. */
  public static Optional<String> code(Throwable failure) {
    for (Throwable cause = failure; cause != null && cause.getCause() != cause; cause = cause.getCause()) {
      if (cause instanceof PgException pg && pg.getSqlState() != null) {
        return Optional.of(pg.getSqlState());
      }
      if (cause instanceof MySQLException mysql) {
        // MySQL's own number is what its documentation and a DBA look an error up by.
        return Optional.of(String.valueOf(mysql.getErrorCode()));
      }
      if (cause instanceof SQLException sql) {
        String state = sql.getSQLState();
        // A connection failure's number is the driver's own; its SQLSTATE says more.
        boolean numbered = sql.getErrorCode() != 0 && (state == null || !state.startsWith("08"));
        return Optional.ofNullable(numbered ? String.valueOf(sql.getErrorCode()) : state);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether SQL Server or Azure SQL itself said "try again shortly" (the transient numbers above): what a
   * client retries at once, a few times, before it reports the failure. A refused or dropped connection is
   * not one of these: it says nothing about how soon the server is back.
   */
  public static boolean isTransientServerError(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof SQLException sql && SQLSERVER_TRANSIENT.contains(sql.getErrorCode())) {
        return true;
      }
    }
    return false;
  }

  public static Retryability classify(Throwable failure) {
    // A certificate for another host, or signed by no trusted authority, stays so until someone changes it.
    if (certificateRefused(failure)) {
      return Retryability.permanent("the server's TLS certificate was refused");
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      Retryability known = classifyOne(cause);
      if (known != null) {
        return known;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return Retryability.TRANSIENT;
  }

  /** @return the classification of this exception alone, or null when it says nothing (look at its cause) */
  private static Retryability classifyOne(Throwable failure) {
    if (failure instanceof TargetUnreachable unreachable) {
      // Its cause (the server's or the network's own failure) decides; without one, the network did.
      return unreachable.getCause() == null ? Retryability.TRANSIENT : null;
    }
    if (failure instanceof DryRunRefused refused) {
      return Retryability.permanent("a dry run " + refused.getMessage().replace("cannot be dry-run", "cannot run it"));
    }
    if (failure instanceof FleetJobsException defined) {
      // The step cannot run as defined here (no credential, an output table of another shape).
      return Retryability.permanent(defined.getMessage());
    }
    if (failure instanceof PgException pg) {
      return bySqlState(pg.getSqlState(), null);
    }
    if (failure instanceof MySQLException mysql) {
      int number = mysql.getErrorCode();
      return MYSQL_TRANSIENT.contains(number) ? Retryability.TRANSIENT
        : MYSQL_PERMANENT.containsKey(number)
          ? Retryability.permanent(MYSQL_PERMANENT.get(number) + " (error " + number + ")")
          : bySqlState(mysql.getSqlState(), Retryability.TRANSIENT);
    }
    if (failure instanceof SQLException sql) {
      Retryability byNumber = SQLSERVER_TRANSIENT.contains(sql.getErrorCode()) ? Retryability.TRANSIENT
        : SQLSERVER_PERMANENT.containsKey(sql.getErrorCode())
          ? Retryability.permanent(SQLSERVER_PERMANENT.get(sql.getErrorCode()) + " (error " + sql.getErrorCode() + ")")
          : null;
      return byNumber != null ? byNumber : bySqlState(sql.getSQLState(), null);
    }
    if (failure instanceof IOException || failure instanceof TimeoutException || failure instanceof VertxException) {
      // A refused or reset connection, a closed socket, a timeout: the network or the server, not the script.
      return Retryability.TRANSIENT;
    }
    return null;
  }

  /**
   * A TLS handshake that failed because the certificate was refused, not because the network failed: the layers
   * that wrap it (Netty, Vert.x, the driver) would otherwise read as a network failure first.
   */
  private static boolean certificateRefused(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CertificateException) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  private static Retryability bySqlState(String state, Retryability otherwise) {
    if (state == null || state.length() != 5) {
      return otherwise;
    }
    String stateClass = state.substring(0, 2);
    if (TRANSIENT_STATES.contains(state) || TRANSIENT_CLASSES.contains(stateClass)) {
      return Retryability.TRANSIENT;
    }
    String reason = PERMANENT_STATES.getOrDefault(state, PERMANENT_CLASSES.get(stateClass));
    return reason == null ? Retryability.TRANSIENT : Retryability.permanent(reason + " (" + state + ")");
  }
}
