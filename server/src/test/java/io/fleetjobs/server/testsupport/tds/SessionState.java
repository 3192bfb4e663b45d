package io.fleetjobs.server.testsupport.tds;

/** What a scripted answer may know of the session it answers on. */
public interface SessionState {
  /** 1 for the first connection the server accepted, and so on. */
  int connection();

  Login7 login();

  /**
   * @@TRANCOUNT as far as the test server can tell from the text it was sent: BEGIN TRAN opens one, COMMIT and
   * ROLLBACK end them, and a reset of the session rolls back. The server is no SQL engine: this is all it knows.
   */
  int transactionCount();
}
