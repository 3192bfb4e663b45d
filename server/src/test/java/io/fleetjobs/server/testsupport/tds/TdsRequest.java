package io.fleetjobs.server.testsupport.tds;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One message the driver sent after login, as the test server recorded it.
 *
 * @param connection which connection (1 for the first one accepted)
 * @param resetConnection whether the packet's status asked for the session to be reset first
 * @param bulkRows for a bulk load, its rows as decoded; empty otherwise
 */
public record TdsRequest(int connection, Kind kind, boolean resetConnection, List<TdsCall> calls,
                         List<TypeInfo> bulkTypes, List<List<Object>> bulkRows) {
  public enum Kind { SQL_BATCH, RPC, ATTENTION, BULK_LOAD, TRANSACTION_MANAGER }

  private static final int BATCH_FLAG = 0xFF;
  private static final int NO_EXEC_FLAG = 0xFE;

  static TdsRequest attention(int connection) {
    return new TdsRequest(connection, Kind.ATTENTION, false, List.of(), List.of(), List.of());
  }

  static TdsRequest sqlBatch(int connection, TdsWire.Message message) {
    WireReader in = afterHeaders(message.payload());
    String sql = in.ucs2((message.payload().length - in.position()) / 2);
    return new TdsRequest(connection, Kind.SQL_BATCH, message.resetsConnection(),
      List.of(new TdsCall(null, sql, List.of())), List.of(), List.of());
  }

  /** @param prepared the statements of this connection's prepared handles, for sp_execute */
  static TdsRequest rpc(int connection, TdsWire.Message message, Map<Long, String> prepared) {
    WireReader in = afterHeaders(message.payload());
    List<TdsCall> calls = new ArrayList<>();
    while (in.hasMore()) {
      int nameLength = in.u16();
      String name = nameLength == 0xFFFF ? TdsCall.PROCEDURES.getOrDefault(in.u16(), "unknown") : in.ucs2(nameLength);
      in.u16();
      List<TdsCall.Param> parameters = new ArrayList<>();
      while (in.hasMore() && in.peek() != BATCH_FLAG && in.peek() != NO_EXEC_FLAG) {
        String parameter = in.bVarchar();
        int status = in.u8();
        TypeInfo type = TypeInfo.read(in);
        parameters.add(new TdsCall.Param(parameter, type, type.readValue(in), (status & 0x01) != 0));
      }
      if (in.hasMore()) {
        in.u8();
      }
      calls.add(new TdsCall(name, statement(name, parameters, prepared), List.copyOf(parameters)));
    }
    return new TdsRequest(connection, Kind.RPC, message.resetsConnection(), List.copyOf(calls), List.of(), List.of());
  }

  static TdsRequest other(int connection, Kind kind, TdsWire.Message message) {
    return new TdsRequest(connection, kind, message.resetsConnection(), List.of(), List.of(), List.of());
  }

  private static String statement(String procedure, List<TdsCall.Param> parameters, Map<Long, String> prepared) {
    return switch (procedure) {
      case "sp_executesql" -> (String) parameters.get(0).value();
      case "sp_prepexec", "sp_prepare" -> (String) parameters.get(2).value();
      case "sp_execute" -> prepared.get((Long) parameters.get(0).value());
      default -> procedure;
    };
  }

  /** ALL_HEADERS (MS-TDS 2.2.5.3) precede a batch's text and an RPC; their first four bytes are their length. */
  private static WireReader afterHeaders(byte[] payload) {
    WireReader in = new WireReader(payload);
    int total = (int) in.u32();
    in.position(total);
    return in;
  }

  /** The SQL of every call, in order. */
  public List<String> statements() {
    return calls.stream().map(TdsCall::sql).toList();
  }

  @Override
  public String toString() {
    return "#" + connection + " " + kind + (resetConnection ? " (reset)" : "") + " " + calls
      + (bulkRows.isEmpty() ? "" : " rows=" + bulkRows);
  }
}
