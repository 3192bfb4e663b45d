package io.fleetjobs.server.testsupport.tds;

import java.nio.charset.StandardCharsets;

/** Little-endian TDS values out of a message's payload. */
final class WireReader {
  private final byte[] data;
  private int position;

  WireReader(byte[] data) {
    this(data, 0);
  }

  WireReader(byte[] data, int position) {
    this.data = data;
    this.position = position;
  }

  int position() {
    return position;
  }

  void position(int position) {
    this.position = position;
  }

  boolean hasMore() {
    return position < data.length;
  }

  int peek() {
    return data[position] & 0xFF;
  }

  int u8() {
    return data[position++] & 0xFF;
  }

  int u16() {
    int value = (data[position] & 0xFF) | ((data[position + 1] & 0xFF) << 8);
    position += 2;
    return value;
  }

  int u16be() {
    int value = ((data[position] & 0xFF) << 8) | (data[position + 1] & 0xFF);
    position += 2;
    return value;
  }

  long u32() {
    long value = 0;
    for (int i = 0; i < 4; i++) {
      value |= (long) (data[position + i] & 0xFF) << (8 * i);
    }
    position += 4;
    return value;
  }

  long u64() {
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value |= (long) (data[position + i] & 0xFF) << (8 * i);
    }
    position += 8;
    return value;
  }

  byte[] bytes(int length) {
    byte[] value = new byte[length];
    System.arraycopy(data, position, value, 0, length);
    position += length;
    return value;
  }

  String ucs2(int characters) {
    String value = new String(data, position, characters * 2, StandardCharsets.UTF_16LE);
    position += characters * 2;
    return value;
  }

  String bVarchar() {
    return ucs2(u8());
  }

  String usVarchar() {
    return ucs2(u16());
  }

  /** UCS-2 at an offset from the start of the payload, as LOGIN7 points at its strings. */
  String ucs2At(int offset, int characters) {
    return new String(data, offset, characters * 2, StandardCharsets.UTF_16LE);
  }

  byte[] data() {
    return data;
  }
}
