package io.fleetjobs.server.testsupport.tds;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Little-endian TDS values into a byte array: what tokens and their data are made of. */
final class WireWriter {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  WireWriter u8(int value) {
    out.write(value);
    return this;
  }

  WireWriter u16(int value) {
    out.write(value);
    out.write(value >> 8);
    return this;
  }

  WireWriter u16be(int value) {
    out.write(value >> 8);
    out.write(value);
    return this;
  }

  WireWriter u32(long value) {
    for (int i = 0; i < 4; i++) {
      out.write((int) (value >> (8 * i)));
    }
    return this;
  }

  WireWriter u64(long value) {
    for (int i = 0; i < 8; i++) {
      out.write((int) (value >> (8 * i)));
    }
    return this;
  }

  WireWriter bytes(byte[] value) {
    out.writeBytes(value);
    return this;
  }

  /** UCS-2 without a length. */
  WireWriter ucs2(String value) {
    return bytes(value.getBytes(StandardCharsets.UTF_16LE));
  }

  /** B_VARCHAR: a one-byte length in characters, then UCS-2. */
  WireWriter bVarchar(String value) {
    return u8(value.length()).ucs2(value);
  }

  /** US_VARCHAR: a two-byte length in characters, then UCS-2. */
  WireWriter usVarchar(String value) {
    return u16(value.length()).ucs2(value);
  }

  /** B_VARBYTE: a one-byte length, then the bytes. */
  WireWriter bVarbyte(byte[] value) {
    return u8(value.length).bytes(value);
  }

  void reset() {
    out.reset();
  }

  int size() {
    return out.size();
  }

  byte[] toByteArray() {
    return out.toByteArray();
  }
}
