package io.fleetjobs.server.testsupport.tds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A SQL Server as mssql-jdbc sees it on the wire, for tests: TDS 7.4 on a loopback port, TLS inside the
 * pre-login with a certificate the test generates (or TDS 8's TLS first, for encrypt=strict), LOGIN7 with a
 * SQL login or a FEDAUTH access token, SQL batches and RPCs. It is a test double of the wire, not a SQL
 * engine: each statement is answered from the rules a test gives ({@link #when}), and everything the driver
 * sent is recorded ({@link #requests()}, {@link #logins()}). What it proves is how our code drives the driver.
 */
public final class TdsServer implements AutoCloseable {
  /** Answers one statement; the session says what the server knows of its connection. */
  @FunctionalInterface
  public interface Responder {
    Reply answer(TdsCall call, SessionState session);
  }

  /** Decides a login: null accepts it, a reply (its errors) refuses it. */
  @FunctionalInterface
  public interface LoginCheck {
    Reply check(Login7 login, int attempt);
  }

  private record Rule(Predicate<TdsCall> matches, Responder responder) {
  }

  private final ServerSocket listener;
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final List<Login7> logins = new CopyOnWriteArrayList<>();
  private final List<TdsRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger loginAttempts = new AtomicInteger();
  private volatile LoginCheck loginCheck = (login, attempt) -> null;
  private volatile String fedAuthSpn = "https://database.windows.net/";
  private volatile boolean closed;

  private TdsServer(ServerSocket listener) {
    this.listener = listener;
  }

  public static TdsServer start() {
    try {
      TdsServer server = new TdsServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
      Thread acceptor = new Thread(server::accept, "tds-accept-" + server.port());
      acceptor.setDaemon(true);
      acceptor.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return listener.getLocalPort();
  }

  /** host:port as a target group member names it. */
  public String serverName() {
    return "localhost:" + port();
  }

  /**
   * Answers statements whose text matches (a regular expression found anywhere, case-insensitive). Later rules
   * win over earlier ones; statements no rule matches get a plain DONE.
   */
  public TdsServer when(String regex, Reply reply) {
    return when(regex, (call, session) -> reply);
  }

  public TdsServer when(String regex, Responder responder) {
    Pattern pattern = Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    return when(call -> call.sql() != null && pattern.matcher(call.sql()).find(), responder);
  }

  public TdsServer when(Predicate<TdsCall> matches, Responder responder) {
    rules.add(0, new Rule(matches, responder));
    return this;
  }

  /** Decides each login from now on; attempts count from 1 across the server's life. */
  public TdsServer loginCheck(LoginCheck check) {
    this.loginCheck = check;
    return this;
  }

  /** The SPN the server names in FEDAUTHINFO, from which the client derives the token's scope. */
  public TdsServer fedAuthSpn(String spn) {
    this.fedAuthSpn = spn;
    return this;
  }

  /** Every login, in order, as the driver sent it (with the token of its FEDAUTH_TOKEN message, if any). */
  public List<Login7> logins() {
    return List.copyOf(logins);
  }

  /** Every message after the logins, in the order they arrived. */
  public List<TdsRequest> requests() {
    return List.copyOf(requests);
  }

  /** Every statement the driver sent, batches and RPCs, in order. */
  public List<TdsCall> calls() {
    return requests.stream().flatMap(request -> request.calls().stream()).toList();
  }

  /** The statements whose text matches, in order. */
  public List<TdsCall> calls(String regex) {
    Pattern pattern = Pattern.compile(regex, Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    return calls().stream().filter(call -> call.sql() != null && pattern.matcher(call.sql()).find()).toList();
  }

  /** Forgets what was recorded, keeping the rules. */
  public void clearRecords() {
    logins.clear();
    requests.clear();
  }

  /** Closes every open connection, as a restart or failover would; the server keeps listening. */
  public void dropConnections() {
    new ArrayList<>(open).forEach(TdsServer::closeQuietly);
  }

  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    dropConnections();
  }

  Reply answer(TdsCall call, SessionState session) {
    for (Rule rule : rules) {
      if (rule.matches().test(call)) {
        return rule.responder().answer(call, session);
      }
    }
    return defaults(call, session);
  }

  /** What SQL Server would say to the statements the driver sends on its own. */
  private static Reply defaults(TdsCall call, SessionState session) {
    String sql = call.sql() == null ? "" : call.sql().trim();
    if (sql.matches("(?is)select\\s+@@trancount.*")) {
      return Reply.resultSet(List.of(TdsColumn.integer("")), List.of(session.transactionCount()));
    }
    return Reply.ok();
  }

  void recordLogin(Login7 login) {
    logins.add(login);
  }

  Reply checkLogin(Login7 login) {
    return loginCheck.check(login, loginAttempts.incrementAndGet());
  }

  void failed(int connection, Exception e) {
    if (!closed && (Boolean.getBoolean("tds.debug") || !(e instanceof java.io.IOException))) {
      failures.add("#" + connection + ": " + e);
    }
  }

  /** What ended sessions other than a hang-up: a message or a state the double cannot handle. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  void recordLoginToken(String token) {
    int last = logins.size() - 1;
    logins.set(last, logins.get(last).withAccessToken(token));
  }

  String fedAuthSpn() {
    return fedAuthSpn;
  }

  void record(TdsRequest request) {
    requests.add(request);
  }

  void closed(Socket socket) {
    open.remove(socket);
  }

  private void accept() {
    while (!closed) {
      try {
        Socket socket = listener.accept();
        // Answers go out in several writes; Nagle's algorithm would hold each one for the client's delayed ACK.
        socket.setTcpNoDelay(true);
        open.add(socket);
        int id = connections.incrementAndGet();
        Thread session = new Thread(new TdsSession(this, socket, id), "tds-session-" + id);
        session.setDaemon(true);
        session.start();
      } catch (IOException e) {
        if (!closed) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // already closed, or the peer is gone: nothing to do in a test double
    }
  }

  /** Matches every call whose procedure is this one (sp_executesql, sp_prepexec, ...). */
  public static Predicate<TdsCall> procedure(String name) {
    return call -> name.equals(call.procedure());
  }
}
