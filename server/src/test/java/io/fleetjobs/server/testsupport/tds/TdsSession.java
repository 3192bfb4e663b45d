package io.fleetjobs.server.testsupport.tds;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * One client connection: pre-login (and TLS), login, then requests answered in order. A reader thread queues
 * what arrives, so an ATTENTION is seen while an answer is paused.
 */
final class TdsSession implements Runnable, SessionState {
  private static final int TLS_HANDSHAKE = 0x16;
  private static final int PRELOGIN_VERSION = 0;
  private static final int PRELOGIN_ENCRYPTION = 1;
  private static final int PRELOGIN_INSTOPT = 2;
  private static final int PRELOGIN_THREADID = 3;
  private static final int PRELOGIN_MARS = 4;
  private static final int PRELOGIN_FEDAUTHREQUIRED = 6;
  private static final int PRELOGIN_TERMINATOR = 0xFF;
  private static final int ENCRYPT_OFF = 0;
  private static final int ENCRYPT_ON = 1;
  private static final int ENCRYPT_REQ = 3;
  private static final Pattern BEGIN = Pattern.compile("(?i)\\bBEGIN\\s+TRAN");
  private static final Pattern END = Pattern.compile("(?i)\\b(COMMIT|ROLLBACK)\\b");
  private static final TdsWire.Message HUNG_UP = new TdsWire.Message(-1, 0, new byte[0]);

  private final TdsServer server;
  private final Socket socket;
  private final int id;
  private final Map<Long, String> prepared = new ConcurrentHashMap<>();
  private final AtomicInteger handles = new AtomicInteger();
  private final BlockingQueue<TdsWire.Message> inbox = new LinkedBlockingQueue<>();
  private InputStream in;
  private OutputStream out;
  private int packetSize = TdsWire.DEFAULT_PACKET_SIZE;
  private volatile Login7 login;
  private volatile int transactionCount;

  TdsSession(TdsServer server, Socket socket, int id) {
    this.server = server;
    this.socket = socket;
    this.id = id;
  }

  @Override
  public int connection() {
    return id;
  }

  @Override
  public Login7 login() {
    return login;
  }

  @Override
  public int transactionCount() {
    return transactionCount;
  }

  @Override
  public void run() {
    try {
      if (!open() || !logIn()) {
        return;
      }
      Thread reader = new Thread(this::readAll, "tds-reader-" + id);
      reader.setDaemon(true);
      reader.start();
      serve();
    } catch (IOException | InterruptedException | RuntimeException e) {
      // The client hung up, or the test closed the server; anything else is a gap in the double, kept for the test.
      server.failed(id, e);
    } finally {
      TdsServer.closeQuietly(socket);
      server.closed(socket);
    }
  }

  /** Pre-login and TLS; TDS 8 (encrypt=strict) starts with the TLS handshake itself. */
  private boolean open() throws IOException {
    PushbackInputStream plain = new PushbackInputStream(socket.getInputStream(), 1);
    int first = plain.read();
    if (first < 0) {
      return false;
    }
    if (first == TLS_HANDSHAKE) {
      Socket tls = PreloginTls.strict(socket, first, TestCertificate.get().serverContext());
      in = tls.getInputStream();
      out = tls.getOutputStream();
      TdsWire.Message prelogin = TdsWire.read(in);
      // Inside TDS 8's TLS the client says NOT_SUP, and so does the server: OFF would mean "encrypt the login only"
      // and the client would drop TLS after it.
      TdsWire.write(out, TdsWire.TABULAR_RESULT, prelogin(prelogin.payload(), requestedEncryption(prelogin.payload())),
        packetSize);
      return true;
    }
    plain.unread(first);
    TdsWire.Message prelogin = TdsWire.read(plain);
    int requested = requestedEncryption(prelogin.payload());
    int answer = requested == ENCRYPT_ON || requested == ENCRYPT_REQ ? ENCRYPT_ON : ENCRYPT_OFF;
    TdsWire.write(socket.getOutputStream(), TdsWire.TABULAR_RESULT, prelogin(prelogin.payload(), answer), packetSize);
    if (answer == ENCRYPT_ON) {
      Socket tls = PreloginTls.handshake(socket, TestCertificate.get().serverContext());
      in = tls.getInputStream();
      out = tls.getOutputStream();
    } else {
      in = plain;
      out = socket.getOutputStream();
    }
    return true;
  }

  private static int requestedEncryption(byte[] payload) {
    WireReader options = new WireReader(payload);
    for (int token = options.u8(); token != PRELOGIN_TERMINATOR; token = options.u8()) {
      int offset = options.u16be();
      options.u16be();
      if (token == PRELOGIN_ENCRYPTION) {
        return payload[offset] & 0xFF;
      }
    }
    return ENCRYPT_OFF;
  }

  /** The server's pre-login answer: version, encryption, and FEDAUTHREQUIRED echoed when the client sent it. */
  private static byte[] prelogin(byte[] request, int encryption) {
    boolean fedAuth = false;
    WireReader options = new WireReader(request);
    for (int token = options.u8(); token != PRELOGIN_TERMINATOR; token = options.u8()) {
      options.u16be();
      options.u16be();
      fedAuth |= token == PRELOGIN_FEDAUTHREQUIRED;
    }
    int[][] entries = fedAuth
      ? new int[][] {{PRELOGIN_VERSION, 6}, {PRELOGIN_ENCRYPTION, 1}, {PRELOGIN_INSTOPT, 1}, {PRELOGIN_THREADID, 0},
        {PRELOGIN_MARS, 1}, {PRELOGIN_FEDAUTHREQUIRED, 1}}
      : new int[][] {{PRELOGIN_VERSION, 6}, {PRELOGIN_ENCRYPTION, 1}, {PRELOGIN_INSTOPT, 1}, {PRELOGIN_THREADID, 0},
        {PRELOGIN_MARS, 1}};
    WireWriter header = new WireWriter();
    int offset = entries.length * 5 + 1;
    for (int[] entry : entries) {
      header.u8(entry[0]).u16be(offset).u16be(entry[1]);
      offset += entry[1];
    }
    header.u8(PRELOGIN_TERMINATOR);
    header.u8(16).u8(0).u16be(4135).u16(0);
    header.u8(encryption);
    header.u8(0);
    header.u8(0);
    if (fedAuth) {
      header.u8(1);
    }
    return header.toByteArray();
  }

  private boolean logIn() throws IOException {
    TdsWire.Message message = TdsWire.read(in);
    if (message == null || message.type() != TdsWire.LOGIN7) {
      return false;
    }
    Login7 sent = Login7.parse(message.payload());
    login = sent;
    server.recordLogin(sent);
    if (sent.fedAuthLibrary() == Login7.LIBRARY_MSAL) {
      TdsWire.write(out, TdsWire.TABULAR_RESULT, fedAuthInfo(server.fedAuthSpn()), packetSize);
      TdsWire.Message token = TdsWire.read(in);
      if (token == null || token.type() != TdsWire.FEDAUTH_TOKEN) {
        return false;
      }
      WireReader data = new WireReader(token.payload());
      data.u32();
      int length = (int) data.u32();
      String accessToken = new String(data.bytes(length), StandardCharsets.UTF_16LE);
      server.recordLoginToken(accessToken);
      login = login.withAccessToken(accessToken);
    }
    Reply refusal = server.checkLogin(login);
    WireWriter response = new WireWriter();
    if (refusal != null) {
      for (Reply.Step step : refusal.steps()) {
        if (step instanceof Reply.Message m) {
          Tokens.message(response, m.error(), m.number(), m.severity(), m.text(), 1);
        }
      }
      Tokens.done(response, Tokens.DONE, Tokens.DONE_ERROR, -1);
      TdsWire.write(out, TdsWire.TABULAR_RESULT, response.toByteArray(), packetSize);
      return false;
    }
    String database = sent.database().isEmpty() ? "master" : sent.database();
    Tokens.envChange(response, Tokens.ENV_DATABASE, database, "master");
    Tokens.message(response, false, 5701, 10, "Changed database context to '" + database + "'.", 1);
    Tokens.envChange(response, Tokens.ENV_LANGUAGE, "us_english", "");
    Tokens.collation(response);
    Tokens.envChange(response, Tokens.ENV_PACKET_SIZE, Integer.toString(sent.packetSize()),
      Integer.toString(TdsWire.DEFAULT_PACKET_SIZE));
    Tokens.loginAck(response);
    if (sent.fedAuthLibrary() > 0) {
      response.u8(Tokens.FEATUREEXTACK).u8(Login7.FEATURE_FEDAUTH).u32(0).u8(Login7.FEATURE_TERMINATOR);
    }
    Tokens.done(response, Tokens.DONE, 0, -1);
    TdsWire.write(out, TdsWire.TABULAR_RESULT, response.toByteArray(), packetSize);
    packetSize = sent.packetSize() > 0 ? sent.packetSize() : packetSize;
    return true;
  }

  /** FEDAUTHINFO (MS-TDS 2.2.7.12): where to get a token (STSURL) and for which resource (SPN). */
  private static byte[] fedAuthInfo(String spn) {
    byte[] sts = "https://login.microsoftonline.com/common".getBytes(StandardCharsets.UTF_16LE);
    byte[] name = spn.getBytes(StandardCharsets.UTF_16LE);
    int options = 2;
    int dataStart = 4 + options * 9;
    WireWriter body = new WireWriter().u32(options)
      .u8(0x01).u32(sts.length).u32(dataStart)
      .u8(0x02).u32(name.length).u32(dataStart + sts.length)
      .bytes(sts).bytes(name);
    return new WireWriter().u8(Tokens.FEDAUTHINFO).u32(body.size()).bytes(body.toByteArray()).toByteArray();
  }

  private void readAll() {
    try {
      for (TdsWire.Message message = TdsWire.read(in); message != null; message = TdsWire.read(in)) {
        inbox.add(message);
      }
    } catch (IOException e) {
      // the connection is gone
    }
    inbox.add(HUNG_UP);
  }

  private void serve() throws IOException, InterruptedException {
    while (true) {
      TdsWire.Message message = inbox.take();
      if (message == HUNG_UP) {
        return;
      }
      if (!handle(message)) {
        return;
      }
    }
  }

  /** @return false when the answer killed the session */
  private boolean handle(TdsWire.Message message) throws IOException, InterruptedException {
    TdsRequest request = switch (message.type()) {
      case TdsWire.SQL_BATCH -> TdsRequest.sqlBatch(id, message);
      case TdsWire.RPC -> TdsRequest.rpc(id, message, prepared);
      case TdsWire.ATTENTION -> TdsRequest.attention(id);
      case TdsWire.BULK_LOAD -> BulkLoad.parse(id, message);
      case TdsWire.TRANSACTION_MANAGER -> TdsRequest.other(id, TdsRequest.Kind.TRANSACTION_MANAGER, message);
      default -> throw new IllegalStateException("Unexpected message type " + message.type());
    };
    server.record(request);
    WireWriter response = new WireWriter();
    if (request.kind() == TdsRequest.Kind.ATTENTION) {
      // An ATTENTION that came after the answer was complete is still acknowledged.
      Tokens.done(response, Tokens.DONE, Tokens.DONE_ATTENTION, -1);
      TdsWire.write(out, TdsWire.TABULAR_RESULT, response.toByteArray(), packetSize);
      return true;
    }
    if (request.resetConnection()) {
      transactionCount = 0;
      Tokens.resetComplete(response);
    }
    if (request.kind() == TdsRequest.Kind.BULK_LOAD || request.kind() == TdsRequest.Kind.TRANSACTION_MANAGER) {
      Tokens.done(response, Tokens.DONE, 0, request.bulkRows().isEmpty() ? -1 : request.bulkRows().size());
      TdsWire.write(out, TdsWire.TABULAR_RESULT, response.toByteArray(), packetSize);
      return true;
    }
    boolean rpc = request.kind() == TdsRequest.Kind.RPC;
    List<TdsCall> calls = request.calls();
    for (int i = 0; i < calls.size(); i++) {
      TdsCall call = calls.get(i);
      track(call);
      Reply reply = server.answer(call, this);
      Outcome outcome = write(response, reply, rpc, i == calls.size() - 1);
      if (outcome == Outcome.KILLED) {
        flush(response);
        return false;
      }
      if (outcome == Outcome.ATTENTION) {
        // The answer so far ends (EOM); the acknowledgement follows as a message of its own, which is what
        // mssql-jdbc reads after the end of a response it interrupted.
        TdsWire.write(out, TdsWire.TABULAR_RESULT, response.toByteArray(), packetSize);
        WireWriter ack = new WireWriter();
        Tokens.done(ack, Tokens.DONE, Tokens.DONE_ATTENTION, -1);
        TdsWire.write(out, TdsWire.TABULAR_RESULT, ack.toByteArray(), packetSize);
        return true;
      }
      if (rpc) {
        finishProcedure(response, call, i == calls.size() - 1);
      }
    }
    TdsWire.write(out, TdsWire.TABULAR_RESULT, response.toByteArray(), packetSize);
    return true;
  }

  private enum Outcome { DONE, ATTENTION, KILLED }

  /** The transaction count, as far as statement text tells it, and the statements of prepared handles. */
  private void track(TdsCall call) {
    String sql = call.sql() == null ? "" : call.sql();
    if (BEGIN.matcher(sql).find()) {
      transactionCount++;
    } else if (END.matcher(sql).find()) {
      transactionCount = 0;
    }
  }

  /**
   * Writes one call's answer. Each DONE but the last says MORE; inside an RPC they are DONEINPROC. A DONE
   * after an error carries the error bit. A pause flushes what is written so far, then waits for ATTENTION.
   */
  private Outcome write(WireWriter response, Reply reply, boolean rpc, boolean lastCall)
    throws IOException, InterruptedException {
    List<Reply.Step> steps = reply.steps();
    List<TdsColumn> columns = List.of();
    boolean error = false;
    boolean ended = false;
    int lastDone = -1;
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) instanceof Reply.Done) {
        lastDone = i;
      }
    }
    for (int i = 0; i < steps.size(); i++) {
      Reply.Step step = steps.get(i);
      ended = false;
      if (step instanceof Reply.Columns c) {
        columns = c.columns();
        Tokens.columns(response, columns);
      } else if (step instanceof Reply.Row row) {
        Tokens.row(response, columns, row.values());
      } else if (step instanceof Reply.Message m) {
        Tokens.message(response, m.error(), m.number(), m.severity(), m.text(), 1);
        error |= m.error();
      } else if (step instanceof Reply.Done done) {
        boolean last = !rpc && lastCall && i == lastDone && i == steps.size() - 1;
        Tokens.done(response, rpc ? Tokens.DONEINPROC : Tokens.DONE,
          (last ? 0 : Tokens.DONE_MORE) | (error ? Tokens.DONE_ERROR : 0), done.count(), done.command());
        error = false;
        ended = true;
      } else if (step instanceof Reply.Pause pause) {
        flush(response);
        if (awaitAttention(pause.atMost())) {
          Tokens.done(response, rpc ? Tokens.DONEPROC : Tokens.DONE, 0, -1);
          return Outcome.ATTENTION;
        }
      } else if (step instanceof Reply.Kill) {
        return Outcome.KILLED;
      }
    }
    if (!ended && !rpc) {
      Tokens.done(response, Tokens.DONE, (lastCall ? 0 : Tokens.DONE_MORE) | (error ? Tokens.DONE_ERROR : 0), -1);
    } else if (!ended && error) {
      Tokens.done(response, Tokens.DONEINPROC, Tokens.DONE_MORE | Tokens.DONE_ERROR, -1);
    }
    return Outcome.DONE;
  }

  /** RETURNSTATUS, the handle sp_prepexec and sp_prepare return, and DONEPROC. */
  private void finishProcedure(WireWriter response, TdsCall call, boolean last) {
    Tokens.returnStatus(response, 0);
    if ("sp_prepexec".equals(call.procedure()) || "sp_prepare".equals(call.procedure())) {
      int handle = handles.incrementAndGet();
      prepared.put((long) handle, call.sql());
      Tokens.returnInt(response, 0, call.parameters().get(0).name(), handle);
    }
    Tokens.done(response, Tokens.DONEPROC, last ? 0 : Tokens.DONE_MORE, -1);
  }

  private void flush(WireWriter response) throws IOException {
    byte[] bytes = response.toByteArray();
    int room = packetSize - TdsWire.HEADER;
    // Part of a response: packets without EOM, so the client reads on and waits for the rest.
    for (int offset = 0; offset < bytes.length; offset += room) {
      int length = Math.min(room, bytes.length - offset);
      out.write(TdsWire.header(TdsWire.TABULAR_RESULT, 0, length + TdsWire.HEADER, 1));
      out.write(bytes, offset, length);
    }
    out.flush();
    response.reset();
  }

  private boolean awaitAttention(Duration atMost) throws InterruptedException {
    TdsWire.Message next = inbox.poll(atMost.toMillis(), TimeUnit.MILLISECONDS);
    if (next == null) {
      return false;
    }
    if (next.type() == TdsWire.ATTENTION) {
      server.record(TdsRequest.attention(id));
      return true;
    }
    if (next == HUNG_UP) {
      inbox.add(HUNG_UP);
      return true;
    }
    throw new IllegalStateException("A request arrived while another was answered: " + next.type());
  }
}
