package io.fleetjobs.server.db;

/** SQLSTATEs the agent branches on: PostgreSQL's own, and those raised by the jobs_internal routines. */
public final class SqlStates {
  public static final String INVALID_VALUE = "FJ400";
  public static final String UNKNOWN_REFERENCE = "FJ422";
  public static final String NOT_FOUND = "FJ404";
  public static final String CONFLICT = "FJ409";
  public static final String UNIQUE_VIOLATION = "23505";
  public static final String CHECK_VIOLATION = "23514";
  public static final String INVALID_TEXT_REPRESENTATION = "22P02";
  public static final String NUMERIC_VALUE_OUT_OF_RANGE = "22003";
  public static final String DATETIME_FIELD_OVERFLOW = "22008";
  /** A NUL or another character PostgreSQL text cannot hold. */
  public static final String CHARACTER_NOT_IN_REPERTOIRE = "22021";
  public static final String UNTRANSLATABLE_CHARACTER = "22P05";
  /** The statement timeout fired, or someone cancelled the statement. */
  public static final String QUERY_CANCELED = "57014";
  /** The lock timeout fired. */
  public static final String LOCK_NOT_AVAILABLE = "55P03";

  private SqlStates() {
  }
}
