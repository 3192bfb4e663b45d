package io.fleetjobs.server.db;

import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.NotFound;
import io.fleetjobs.common.errors.Unavailable;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;

/**
 * Turns the SQLSTATEs of the definition routines, and the job database stopping a statement, into domain
 * failures; anything else passes through. The HTTP edge applies it again to whatever a repository left
 * unmapped, so that no SQL failure with a known meaning becomes a 500.
 */
public final class SqlFailures {
  private SqlFailures() {
  }

  public static <T> Future<T> translate(Throwable failure) {
    return Future.failedFuture(domainFailure(failure));
  }

  public static Throwable domainFailure(Throwable failure) {
    if (!(failure instanceof PgException pg) || pg.getSqlState() == null) {
      return failure;
    }
    String field = pg.getColumn();
    String message = pg.getErrorMessage();
    return switch (pg.getSqlState()) {
      case SqlStates.INVALID_VALUE -> new InvalidInput(field, message);
      case SqlStates.UNKNOWN_REFERENCE -> new InvalidInput("UnknownReference", field, message);
      case SqlStates.NOT_FOUND -> new NotFound(field, message);
      case SqlStates.CONFLICT -> new Conflict(field, message);
      // A concurrent create of the same name loses the race inside the routine.
      case SqlStates.UNIQUE_VIOLATION -> new Conflict(field, "The object was created concurrently; retry the request.");
      case SqlStates.CHECK_VIOLATION, SqlStates.INVALID_TEXT_REPRESENTATION, SqlStates.NUMERIC_VALUE_OUT_OF_RANGE,
           SqlStates.DATETIME_FIELD_OVERFLOW -> new InvalidInput(field, message);
      case SqlStates.CHARACTER_NOT_IN_REPERTOIRE, SqlStates.UNTRANSLATABLE_CHARACTER ->
        new InvalidInput(field == null ? "body" : field, "A text value holds a character PostgreSQL cannot store: " + message);
      // Every write is one transaction, rolled back when its statement is stopped.
      case SqlStates.QUERY_CANCELED, SqlStates.LOCK_NOT_AVAILABLE -> new Unavailable("The job database stopped this "
        + "request before it finished (it took longer than the statement or lock timeout allows); nothing was saved. "
        + "Try again; if it keeps happening, the job database is overloaded or the request is very large.", failure);
      default -> failure;
    };
  }
}
