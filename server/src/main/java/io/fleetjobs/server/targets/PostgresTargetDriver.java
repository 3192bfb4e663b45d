package io.fleetjobs.server.targets;

import com.azure.core.credential.TokenCredential;
import io.fleetjobs.common.errors.InvalidInput;
import io.fleetjobs.server.config.SqlServerSettings;
import io.fleetjobs.server.config.TargetSettings;
import io.fleetjobs.server.targets.sqlserver.AccessTokens;
import io.fleetjobs.server.targets.sqlserver.EntraCredentials;
import io.fleetjobs.common.errors.OutputMismatch;
import io.fleetjobs.server.targets.postgres.CancelRequest;
import io.fleetjobs.server.targets.postgres.PsqlRun;
import io.fleetjobs.server.targets.postgres.PsqlScript;
import io.fleetjobs.server.targets.postgres.TlsNegotiation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.SslMode;
import io.vertx.pgclient.spi.PgDriver;
import io.vertx.sqlclient.spi.ConnectionFactory;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * PostgreSQL targets through the non-blocking vertx-pg-client: no thread waits on a target. Scripts run as
 * psql runs them ({@link PsqlScript}, {@link PsqlRun}). TLS follows libpq's sslmode; a member may sign in with the
 * agent's Microsoft Entra token as its password (Azure Database for PostgreSQL).
 */
public final class PostgresTargetDriver implements TargetDriver {
  public static final String ENGINE = "postgresql";
  private static final int DEFAULT_PORT = 5432;
  /** As long as mssql-jdbc's login timeout: a loaded server may take seconds to fork and authenticate. */
  private static final int CONNECT_TIMEOUT_MS = 30_000;
  private static final int OUTPUT_TIMEOUT_MS = 60_000;
  private static final String OUTPUT_LOCK_TIMEOUT = "30s";
  private static final long CANCEL_GRACE_MS = 5_000;
  private static final int MAX_IDENTIFIER_BYTES = 63;
  /** The counterpart of SQL Server's master: where enumeration connects, never a target by itself. */
  private static final String MAINTENANCE_DATABASE = "postgres";
  /** What Azure Database for PostgreSQL accepts Entra tokens for. */
  public static final String ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default";

  /**
   * The agent's Microsoft Entra identity: its mode as the API shows it, and a current token for
   * {@link #ENTRA_SCOPE} (blocking while one is fetched).
   */
  public record EntraIdentity(String method, Supplier<String> token) {
    @Override
    public String toString() {
      return "EntraIdentity[" + method + "]";
    }
  }

  /**
   * @param sslMode libpq's sslmode for members that name none
   * @param trust the authorities verify-ca and verify-full accept
   * @param clientCertificate the agent's certificate for servers that ask for one, or null
   * @param entra the agent's identity, for members that sign in with Entra
   */
  public record Settings(String sslMode, TlsTrust trust, KeyCertOptions clientCertificate,
                         Optional<EntraIdentity> entra) {
    /** prefer, as libpq's, the JVM's trust store, no client certificate and no identity. */
    public static Settings defaults() {
      return new Settings("prefer", TlsTrust.of(null), null, Optional.empty());
    }

    /**
     * From the agent's configuration: its TLS settings for postgresql, and its Entra identity, whose tokens are
     * cached per scope. Reads the CA bundle; blocking.
     *
     * @param credential the identity to use instead of the one the configuration describes (tests)
     */
    public static Settings of(TargetSettings targets, SqlServerSettings.Entra entra, Optional<TokenCredential> credential,
                              Clock clock) {
      KeyCertOptions client = targets.postgresSslCert() == null ? null : new PemKeyCertOptions()
        .setCertPath(targets.postgresSslCert())
        .setKeyPath(targets.postgresSslKey());
      if (!entra.configured()) {
        return new Settings(targets.postgresSslMode(), TlsTrust.of(targets.postgresSslRootCert()), client,
          Optional.empty());
      }
      AccessTokens tokens = new AccessTokens(credential.orElseGet(() -> EntraCredentials.of(entra)), clock);
      Optional<EntraIdentity> identity = Optional.of(new EntraIdentity(entra.mode().name(),
        () -> tokens.forResource(ENTRA_SCOPE).value()));
      return new Settings(targets.postgresSslMode(), TlsTrust.of(targets.postgresSslRootCert()), client, identity);
    }
  }

  private final Vertx vertx;
  private final Settings settings;
  /** Cancel requests go on connections of their own, whatever the session's sslmode (see {@link CancelRequest}). */
  private final NetClient cancels;
  /** Each server is asked once whether it offers TLS (see {@link TlsNegotiation}), on a client of its own. */
  private final NetClient tlsQuestions;
  private final TlsNegotiation tls;
  /** Every session connects on this one client (see {@link ReactiveSessions#client}). */
  private final ConnectionFactory<PgConnectOptions> connections;

  public PostgresTargetDriver(Vertx vertx) {
    this(vertx, Settings.defaults());
  }

  public PostgresTargetDriver(Vertx vertx, Settings settings) {
    this.vertx = vertx;
    this.settings = settings;
    this.cancels = vertx.createNetClient(new NetClientOptions().setConnectTimeout((int) CANCEL_GRACE_MS));
    this.tlsQuestions = vertx.createNetClient(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS));
    this.tls = new TlsNegotiation(tlsQuestions, CONNECT_TIMEOUT_MS);
    this.connections = ReactiveSessions.client(vertx, PgDriver.INSTANCE);
  }

  /**
   * The member's own mode, else verify-full for a member that signs in with Entra (a token is a bearer credential
   * that must reach only the server it is for), else the agent's default.
   */
  @Override
  public String sslMode(ConnectionSettings connection) {
    if (connection.sslMode() != null) {
      return connection.sslMode();
    }
    return connection.entra() ? "verify-full" : settings.sslMode();
  }

  @Override
  public String authentication(ConnectionSettings connection) {
    return connection.entra() ? settings.entra().map(EntraIdentity::method).orElse(ConnectionSettings.ENTRA)
      : authentication();
  }

  @Override
  public String engine() {
    return ENGINE;
  }

  @Override
  public boolean runsDryRuns() {
    return true;
  }

  @Override
  public Future<List<String>> listDatabases(String serverName, Login login, ConnectionSettings member) {
    return ReactiveSessions.listDatabases(serverName,
      connect(serverName, MAINTENANCE_DATABASE, login, member, ScriptOptions.AGENT_APPLICATION_NAME), """
        SELECT datname FROM pg_database
         WHERE datallowconn AND NOT datistemplate AND datname <> 'postgres'
         ORDER BY datname""");
  }

  @Override
  public Future<Void> testLogin(String serverName, String databaseName, Login login, ConnectionSettings member) {
    return ReactiveSessions.testLogin(
      connect(serverName, databaseName, login, member, ScriptOptions.AGENT_APPLICATION_NAME));
  }

  @Override
  public String maintenanceDatabase() {
    return MAINTENANCE_DATABASE;
  }

  @Override
  public RunningScript run(String serverName, String databaseName, Login login, ConnectionSettings member,
                           String script, ScriptOptions options) {
    PsqlScript statements;
    try {
      statements = PsqlScript.parse(script, options.actionType() == ActionType.TSQL);
    } catch (RuntimeException e) {
      return RunningScript.failed(e);
    }
    AtomicReference<PgConnection> open = new AtomicReference<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    Future<ScriptResult> result = connect(serverName, databaseName, login, member, options.applicationName())
      .compose(connection -> {
        open.set(connection);
        if (cancelled.get()) {
          return connection.close().compose(closed -> Future.failedFuture("Canceled before the script started."));
        }
        // The result does not wait for the connection to close: the slot is free once the script is done.
        return new PsqlRun(connection, statements, options, cancelled::get)
          .execute()
          .onComplete(done -> connection.close());
      });
    return RunningScript.of(result, () -> {
      cancelled.set(true);
      PgConnection connection = open.get();
      if (connection == null) {
        return Future.succeededFuture();
      }
      // If the cancel request goes unanswered, the session is closed anyway, so the attempt gives its slot back.
      // The server notices a closed client only when it next writes to it (or at client_connection_check_interval),
      // so a statement that writes nothing may run on until it ends by itself.
      vertx.setTimer(CANCEL_GRACE_MS, late -> connection.close());
      ServerAddress address = ServerAddress.parse(serverName, DEFAULT_PORT);
      return CancelRequest.send(cancels, address.host(), address.port(), connection.processId(),
        connection.secretKey(), CANCEL_GRACE_MS);
    });
  }

  @Override
  public Future<Void> close() {
    return Future.join(cancels.close(), tlsQuestions.close(), ReactiveSessions.close(connections)).mapEmpty();
  }

  @Override
  public Future<Void> appendOutput(OutputTable table, Login login, ScriptResult result) {
    if (!result.hasResultSet()) {
      return Future.succeededFuture();
    }
    Optional<String> unusable = unusableNames(table, result);
    if (unusable.isPresent()) {
      return Future.failedFuture(new OutputMismatch(unusable.get()));
    }
    String qualified = quote(table.schemaName()) + "." + quote(table.tableName());
    return connect(table.serverName(), table.databaseName(), login, ConnectionSettings.sslMode(table.sslMode()),
        ScriptOptions.AGENT_APPLICATION_NAME)
      .compose(connection -> connection.begin()
        .compose(tx -> connection.query("SET LOCAL lock_timeout = '" + OUTPUT_LOCK_TIMEOUT + "'").execute()
          // One writer at a time per table, so two targets finishing together do not both create it.
          .compose(set -> connection.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))")
            .execute(Tuple.of(qualified)))
          .compose(locked -> existingColumns(connection, table))
          .compose(existing -> existing.isEmpty()
            ? createTable(connection, table, qualified, result)
            : checkColumns(existing, result, qualified).compose(ok -> replaceEarlierAttempt(connection, table, qualified)))
          .compose(ready -> insertRows(connection, table, qualified, result))
          .compose(inserted -> tx.commit()))
        .onComplete(done -> connection.close()))
      .timeout(OUTPUT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
  }

  /** Rows of an earlier attempt at the same target in the same execution: they go, the new ones come. */
  private static Future<Void> replaceEarlierAttempt(PgConnection connection, OutputTable table, String qualified) {
    return connection.preparedQuery("DELETE FROM " + qualified + " WHERE internal_execution_id = $1"
        + " AND target_server_name = $2 AND target_database_name = $3")
      .execute(Tuple.of(table.jobExecutionId(), table.targetServer(), table.targetDatabase()))
      .mapEmpty();
  }

  /** PostgreSQL cuts identifiers at 63 bytes, and a table cannot have a column twice. */
  private static Optional<String> unusableNames(OutputTable table, ScriptResult result) {
    for (String name : List.of(table.schemaName(), table.tableName())) {
      if (name.getBytes(StandardCharsets.UTF_8).length > MAX_IDENTIFIER_BYTES) {
        return Optional.of("The output name '" + name + "' is longer than PostgreSQL's 63-byte identifiers.");
      }
    }
    Set<String> seen = new HashSet<>(List.of("internal_execution_id", "target_server_name", "target_database_name"));
    for (ScriptResult.Column column : result.columns()) {
      if (!seen.add(column.name())) {
        return Optional.of("The result has the column '" + column.name() + "' twice, or one the output table "
          + "reserves; name the result's columns with AS.");
      }
    }
    return Optional.empty();
  }

  private static Future<List<String>> existingColumns(PgConnection connection, OutputTable table) {
    return connection.preparedQuery("""
        SELECT column_name || ' ' || udt_name FROM information_schema.columns
         WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position""")
      .execute(Tuple.of(table.schemaName(), table.tableName()))
      .map(rows -> {
        List<String> columns = new ArrayList<>();
        rows.forEach(row -> columns.add(row.getString(0)));
        return columns;
      });
  }

  private static Future<Void> createTable(PgConnection connection, OutputTable table, String qualified,
                                          ScriptResult result) {
    String columns = result.columns().stream()
      .map(column -> quote(column.name()) + " " + ddlType(column.typeName()))
      .collect(Collectors.joining(", "));
    // The index is named as Elastic Jobs names it, when that name fits; otherwise PostgreSQL names it.
    String indexName = "IX_" + table.tableName() + "_Internal_Execution_ID";
    String index = indexName.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES ? quote(indexName) : "";
    return connection.query("CREATE TABLE " + qualified + " (internal_execution_id uuid NOT NULL, "
        + "target_server_name text NOT NULL, target_database_name text NOT NULL, " + columns + ")")
      .execute()
      .compose(created -> connection.query("CREATE INDEX " + index + " ON " + qualified + " (internal_execution_id)")
        .execute())
      .mapEmpty();
  }

  /** Later results must bring the same columns with the same types. */
  private static Future<Void> checkColumns(List<String> existing, ScriptResult result, String qualified) {
    for (ScriptResult.Column column : result.columns()) {
      String wanted = column.name() + " " + udtName(column.typeName());
      if (!existing.contains(wanted)) {
        return Future.failedFuture(new OutputMismatch("The output table " + qualified + " does not match this result: "
          + "it has no column " + wanted.replace(" ", " of type ") + ". Its columns are " + String.join(", ", existing)
          + "."));
      }
    }
    return Future.succeededFuture();
  }

  private static Future<Void> insertRows(PgConnection connection, OutputTable table, String qualified,
                                         ScriptResult result) {
    if (result.rows().isEmpty()) {
      return Future.succeededFuture();
    }
    StringBuilder sql = new StringBuilder("INSERT INTO ").append(qualified)
      .append(" (internal_execution_id, target_server_name, target_database_name");
    result.columns().forEach(column -> sql.append(", ").append(quote(column.name())));
    sql.append(") VALUES ($1, $2, $3");
    for (int i = 0; i < result.columns().size(); i++) {
      sql.append(", $").append(i + 4);
    }
    sql.append(')');
    List<Tuple> batch = new ArrayList<>();
    for (List<Object> row : result.rows()) {
      Tuple tuple = Tuple.of(table.jobExecutionId(), table.targetServer(), table.targetDatabase());
      row.forEach(tuple::addValue);
      batch.add(tuple);
    }
    return connection.preparedQuery(sql.toString()).executeBatch(batch).mapEmpty();
  }

  /** vertx-pg-client names types after its DataType enum: INT4, TIMESTAMPTZ, TEXT_ARRAY, UNKNOWN. */
  static String ddlType(String clientTypeName) {
    String name = clientTypeName.toLowerCase(Locale.ROOT);
    if (name.equals("unknown")) {
      return "text";
    }
    return name.endsWith("_array") ? name.substring(0, name.length() - "_array".length()) + "[]" : name;
  }

  /** The same type as information_schema.columns.udt_name spells it. */
  static String udtName(String clientTypeName) {
    String ddl = ddlType(clientTypeName);
    return ddl.endsWith("[]") ? "_" + ddl.substring(0, ddl.length() - 2) : ddl;
  }

  static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /**
   * A target that does not answer fails its attempt instead of holding a slot. Notices are never logged:
   * vertx-pg-client logs a WARN line for each one unless the connection has a handler, and a script's notices
   * belong in its result ({@link PsqlRun} takes them there).
   */
  private Future<PgConnection> connect(String serverName, String database, Login login, ConnectionSettings connection,
                                       String applicationName) {
    String mode = sslMode(connection);
    long started = System.nanoTime();
    return password(login, connection, mode)
      .compose(password -> {
        ServerAddress address = ServerAddress.parse(serverName, DEFAULT_PORT);
        // Each connection is bounded on its own, and so is the question whether the server offers TLS, whose
        // answer the sessions starting meanwhile wait for: a server that hangs is asked again at the next session.
        Function<String, Future<PgConnection>> open = asMode -> withinConnectTimeout(connections.connect(
          vertx.getOrCreateContext(), options(address, database, login.username(), password, applicationName, asMode))
          .map(PgConnection::cast));
        Future<PgConnection> connecting = mode.equals("disable")
          ? open.apply(mode)
          : tls.connect(address.host(), address.port(), mode, open);
        // And the whole, for a session that waited for the server's answer before it connected.
        return withinConnectTimeout(connecting)
          .recover(e -> Future.failedFuture(ConnectFailed.of(e, mode, settings.trust()
            .refusal(address.host(), mode, started))));
      })
      .map(opened -> opened.noticeHandler(notice -> { }));
  }

  /** The connection within the connect timeout (see {@link ReactiveSessions#withinTimeout}), saying how long. */
  private static Future<PgConnection> withinConnectTimeout(Future<PgConnection> connecting) {
    return ReactiveSessions.withinTimeout(connecting, CONNECT_TIMEOUT_MS)
      .recover(e -> Future.failedFuture(e instanceof TimeoutException
        ? new TimeoutException("no connection to the server within " + CONNECT_TIMEOUT_MS / 1000 + " s")
        : e));
  }

  /**
   * The stored password, or a current Entra token in its place. Fetching a token may block (it is cached, and
   * fetched again before it expires), so it runs on a worker thread. The token is never logged or shown.
   */
  private Future<String> password(Login login, ConnectionSettings connection, String mode) {
    if (login == null) {
      return Future.failedFuture(new InvalidInput("credential", "A postgresql target needs a credential: its user "
        + "is the role to sign in as."));
    }
    if (!connection.entra()) {
      return Future.succeededFuture(login.password());
    }
    if (settings.entra().isEmpty()) {
      return Future.failedFuture(new InvalidInput("authentication", "The member signs in with Microsoft Entra, but "
        + "the agent has no identity: set FLEETJOBS_ENTRA_MODE."));
    }
    if (!mode.startsWith("verify-")) {
      return Future.failedFuture(new InvalidInput("sslMode", "An Entra token goes only to a verified server: sslMode "
        + mode + " does not verify one."));
    }
    Supplier<String> token = settings.entra().get().token();
    return vertx.executeBlocking(token::get, false);
  }

  /** The application name is added to the client's defaults (encoding, date style), which it keeps. */
  private PgConnectOptions options(ServerAddress address, String database, String user, String password,
                                   String applicationName, String mode) {
    PgConnectOptions options = new PgConnectOptions()
      .setHost(address.host())
      .setPort(address.port())
      .setDatabase(database)
      .setUser(user)
      .setPassword(password)
      .setSslMode(SslMode.of(mode))
      .addProperty("application_name", applicationName);
    return mode.equals("disable") ? options : options.setSslOptions(tls(address.host(), mode));
  }

  /** libpq's meanings: allow, prefer and require encrypt without checking; verify-ca and verify-full check. */
  private ClientSSLOptions tls(String host, String mode) {
    return settings.trust().options(host, mode, mode.startsWith("verify-"), mode.equals("verify-full"),
      settings.clientCertificate());
  }
}
