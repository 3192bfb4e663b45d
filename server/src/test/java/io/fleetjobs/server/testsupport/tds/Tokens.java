package io.fleetjobs.server.testsupport.tds;

import java.util.List;

/** The tokens of a tabular response (MS-TDS 2.2.7) the test server writes. */
final class Tokens {
  static final int ENVCHANGE = 0xE3;
  static final int INFO = 0xAB;
  static final int ERROR = 0xAA;
  static final int LOGINACK = 0xAD;
  static final int FEATUREEXTACK = 0xAE;
  static final int FEDAUTHINFO = 0xEE;
  static final int COLMETADATA = 0x81;
  static final int ROW = 0xD1;
  static final int RETURNSTATUS = 0x79;
  static final int RETURNVALUE = 0xAC;
  static final int DONE = 0xFD;
  static final int DONEPROC = 0xFE;
  static final int DONEINPROC = 0xFF;

  static final int DONE_MORE = 0x01;
  static final int DONE_ERROR = 0x02;
  static final int DONE_COUNT = 0x10;
  static final int DONE_ATTENTION = 0x20;
  /** CurCmd of an UPDATE statement (MS-TDS 2.2.7.6). */
  static final int CMD_UPDATE = 0xC5;

  static final int ENV_DATABASE = 1;
  static final int ENV_LANGUAGE = 2;
  static final int ENV_PACKET_SIZE = 4;
  static final int ENV_COLLATION = 7;
  static final int ENV_RESET_COMPLETE = 18;

  /** TDS 7.4, as SQL Server 2012 and later answer a 7.4 client. */
  static final long TDS_74 = 0x74000004L;
  static final String SERVER_NAME = "fleetjobs-tds";

  private Tokens() {
  }

  static void envChange(WireWriter out, int type, String newValue, String oldValue) {
    WireWriter body = new WireWriter().u8(type).bVarchar(newValue).bVarchar(oldValue);
    out.u8(ENVCHANGE).u16(body.size()).bytes(body.toByteArray());
  }

  static void collation(WireWriter out) {
    WireWriter body = new WireWriter().u8(ENV_COLLATION).bVarbyte(TypeInfo.COLLATION).u8(0);
    out.u8(ENVCHANGE).u16(body.size()).bytes(body.toByteArray());
  }

  /** The acknowledgement of a request that asked for the session to be reset. */
  static void resetComplete(WireWriter out) {
    out.u8(ENVCHANGE).u16(3).u8(ENV_RESET_COMPLETE).u8(0).u8(0);
  }

  static void message(WireWriter out, boolean error, int number, int severity, String text, int line) {
    WireWriter body = new WireWriter().u32(number).u8(1).u8(severity).usVarchar(text).bVarchar(SERVER_NAME)
      .bVarchar("").u32(line);
    out.u8(error ? ERROR : INFO).u16(body.size()).bytes(body.toByteArray());
  }

  static void loginAck(WireWriter out) {
    WireWriter body = new WireWriter().u8(1).u8(0x74).u8(0).u8(0).u8(0x04).bVarchar("Microsoft SQL Server")
      .u8(16).u8(0).u16be(4135);
    out.u8(LOGINACK).u16(body.size()).bytes(body.toByteArray());
  }

  static void columns(WireWriter out, List<TdsColumn> columns) {
    out.u8(COLMETADATA).u16(columns.size());
    columns.forEach(column -> column.writeMetadata(out));
  }

  static void row(WireWriter out, List<TdsColumn> columns, List<Object> values) {
    out.u8(ROW);
    for (int i = 0; i < columns.size(); i++) {
      columns.get(i).writeValue(out, values.get(i));
    }
  }

  static void done(WireWriter out, int token, int status, long count) {
    done(out, token, status, count, 0);
  }

  /** @param command CurCmd: the kind of statement the DONE ends, such as {@link #CMD_UPDATE} */
  static void done(WireWriter out, int token, int status, long count, int command) {
    out.u8(token).u16(status | (count >= 0 ? DONE_COUNT : 0)).u16(command).u64(Math.max(count, 0));
  }

  static void returnStatus(WireWriter out, int status) {
    out.u8(RETURNSTATUS).u32(status);
  }

  /** An int output parameter, as sp_prepexec returns the handle it prepared. */
  static void returnInt(WireWriter out, int ordinal, String name, int value) {
    out.u8(RETURNVALUE).u16(ordinal).bVarchar(name).u8(0x01).u32(0).u16(0x0001);
    TdsColumn.integer(name).writeTypeInfo(out);
    TdsColumn.integer(name).writeValue(out, value);
  }
}
