package io.fleetjobs.server.db;

import io.fleetjobs.common.errors.Conflict;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.common.errors.NotFound;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;

/** Turns the SQLSTATEs of the definition routines into domain failures; anything else passes through. */
public final class SqlFailures {
  private SqlFailures() {
  }

  public static <T> Future<T> translate(Throwable failure) {
    return Future.failedFuture(domainFailure(failure));
  }

  static Throwable domainFailure(Throwable failure) {
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
      default -> failure;
    };
  }
}
