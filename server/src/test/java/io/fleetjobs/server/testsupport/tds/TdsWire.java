package io.fleetjobs.server.testsupport.tds;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * TDS packets (MS-TDS 2.2.3): an 8-byte header (type, status, big-endian length, SPID, packet id, window)
 * before each piece of a message; the status bit EOM ends a message. Messages are read and written whole.
 */
final class TdsWire {
  static final int SQL_BATCH = 0x01;
  static final int RPC = 0x03;
  static final int TABULAR_RESULT = 0x04;
  static final int ATTENTION = 0x06;
  static final int BULK_LOAD = 0x07;
  static final int FEDAUTH_TOKEN = 0x08;
  static final int TRANSACTION_MANAGER = 0x0E;
  static final int LOGIN7 = 0x10;
  static final int PRELOGIN = 0x12;

  static final int STATUS_EOM = 0x01;
  /** The client asks the server to reset the session before this request (sp_reset_connection). */
  static final int STATUS_RESET_CONNECTION = 0x08;
  static final int STATUS_RESET_CONNECTION_SKIP_TRAN = 0x10;

  static final int HEADER = 8;
  static final int DEFAULT_PACKET_SIZE = 4096;

  /** @param status the status byte of the message's first packet, where the reset bits are */
  record Message(int type, int status, byte[] payload) {
    boolean resetsConnection() {
      return (status & (STATUS_RESET_CONNECTION | STATUS_RESET_CONNECTION_SKIP_TRAN)) != 0;
    }
  }

  private TdsWire() {
  }

  /** @return the next whole message, or null at the end of the stream */
  static Message read(InputStream in) throws IOException {
    ByteArrayOutputStream payload = new ByteArrayOutputStream();
    int type = -1;
    int firstStatus = 0;
    while (true) {
      byte[] header = new byte[HEADER];
      if (!readFully(in, header, type == -1)) {
        return null;
      }
      int status = header[1] & 0xFF;
      if (type == -1) {
        type = header[0] & 0xFF;
        firstStatus = status;
      }
      int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
      byte[] body = new byte[length - HEADER];
      readFully(in, body, false);
      payload.writeBytes(body);
      if ((status & STATUS_EOM) != 0) {
        return new Message(type, firstStatus, payload.toByteArray());
      }
    }
  }

  /** One packet: the header read, the body not yet. Used where TLS records travel inside PRELOGIN packets. */
  static byte[] readPacketBody(InputStream in) throws IOException {
    byte[] header = new byte[HEADER];
    if (!readFully(in, header, true)) {
      return null;
    }
    int length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
    byte[] body = new byte[length - HEADER];
    readFully(in, body, false);
    return body;
  }

  static void write(OutputStream out, int type, byte[] payload, int packetSize) throws IOException {
    int room = packetSize - HEADER;
    int offset = 0;
    int packetId = 1;
    do {
      int length = Math.min(room, payload.length - offset);
      boolean last = offset + length == payload.length;
      out.write(header(type, last ? STATUS_EOM : 0, length + HEADER, packetId++));
      out.write(payload, offset, length);
      offset += length;
    } while (offset < payload.length);
    out.flush();
  }

  static byte[] header(int type, int status, int length, int packetId) {
    return new byte[] {(byte) type, (byte) status, (byte) (length >> 8), (byte) length, 0, 0, (byte) packetId, 0};
  }

  /** @param endOk whether the stream may end before the first byte (a client that hung up between messages) */
  private static boolean readFully(InputStream in, byte[] into, boolean endOk) throws IOException {
    int read = 0;
    while (read < into.length) {
      int n = in.read(into, read, into.length - read);
      if (n < 0) {
        if (read == 0 && endOk) {
          return false;
        }
        throw new EOFException("The client closed the connection inside a packet.");
      }
      read += n;
    }
    return true;
  }
}
