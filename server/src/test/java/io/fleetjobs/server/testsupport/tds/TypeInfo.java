package io.fleetjobs.server.testsupport.tds;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * A TYPE_INFO (MS-TDS 2.2.5.6) and how values of it are read: enough of the types mssql-jdbc sends as RPC
 * parameters and bulk-load rows to record what each parameter was, its type above all.
 *
 * @param id the TDS type byte, e.g. 0xE7 NVARCHAR, 0xA5 BIGVARBINARY, 0x26 INTN
 * @param maxLength the declared length in bytes; 0xFFFF for a (max) type sent in PLP chunks
 */
public record TypeInfo(int id, int maxLength, int precision, int scale) {
  public static final int NULLTYPE = 0x1F;
  public static final int INT1 = 0x30;
  public static final int BIT = 0x32;
  public static final int INT2 = 0x34;
  public static final int INT4 = 0x38;
  public static final int DATETIM4 = 0x3A;
  public static final int FLT4 = 0x3B;
  public static final int MONEY = 0x3C;
  public static final int DATETIME = 0x3D;
  public static final int FLT8 = 0x3E;
  public static final int MONEY4 = 0x7A;
  public static final int INT8 = 0x7F;
  public static final int GUID = 0x24;
  public static final int INTN = 0x26;
  public static final int BITN = 0x68;
  public static final int DECIMALN = 0x6A;
  public static final int NUMERICN = 0x6C;
  public static final int FLTN = 0x6D;
  public static final int MONEYN = 0x6E;
  public static final int DATETIMN = 0x6F;
  public static final int DATEN = 0x28;
  public static final int TIMEN = 0x29;
  public static final int DATETIME2N = 0x2A;
  public static final int DATETIMEOFFSETN = 0x2B;
  public static final int BIGVARBINARY = 0xA5;
  public static final int BIGVARCHAR = 0xA7;
  public static final int BIGBINARY = 0xAD;
  public static final int BIGCHAR = 0xAF;
  public static final int NVARCHAR = 0xE7;
  public static final int NCHAR = 0xEF;
  public static final int IMAGE = 0x22;
  public static final int TEXT = 0x23;
  public static final int NTEXT = 0x63;
  public static final int XML = 0xF1;
  static final int PLP = 0xFFFF;
  /** SQL_Latin1_General_CP1_CI_AS, the collation every character type here is sent with. */
  static final byte[] COLLATION = {0x09, 0x04, (byte) 0xD0, 0x00, 0x34};

  public boolean isCharacter() {
    return id == NVARCHAR || id == NCHAR || id == BIGVARCHAR || id == BIGCHAR || id == TEXT || id == NTEXT;
  }

  public boolean isBinary() {
    return id == BIGVARBINARY || id == BIGBINARY || id == IMAGE;
  }

  static TypeInfo read(WireReader in) {
    int id = in.u8();
    return switch (id) {
      case NULLTYPE -> new TypeInfo(id, 0, 0, 0);
      case INT1, BIT -> new TypeInfo(id, 1, 0, 0);
      case INT2 -> new TypeInfo(id, 2, 0, 0);
      case INT4, DATETIM4, FLT4, MONEY4 -> new TypeInfo(id, 4, 0, 0);
      case MONEY, DATETIME, FLT8, INT8 -> new TypeInfo(id, 8, 0, 0);
      case GUID, INTN, BITN, FLTN, MONEYN, DATETIMN -> new TypeInfo(id, in.u8(), 0, 0);
      case DECIMALN, NUMERICN -> new TypeInfo(id, in.u8(), in.u8(), in.u8());
      case DATEN -> new TypeInfo(id, 3, 0, 0);
      case TIMEN, DATETIME2N, DATETIMEOFFSETN -> new TypeInfo(id, 0, 0, in.u8());
      case BIGVARBINARY, BIGBINARY -> new TypeInfo(id, in.u16(), 0, 0);
      case BIGVARCHAR, BIGCHAR, NVARCHAR, NCHAR -> {
        int length = in.u16();
        in.bytes(5);
        yield new TypeInfo(id, length, 0, 0);
      }
      case IMAGE -> new TypeInfo(id, (int) in.u32(), 0, 0);
      case TEXT, NTEXT -> {
        int length = (int) in.u32();
        in.bytes(5);
        yield new TypeInfo(id, length, 0, 0);
      }
      case XML -> {
        if (in.u8() != 0) {
          in.bVarchar();
          in.bVarchar();
          in.usVarchar();
        }
        yield new TypeInfo(id, PLP, 0, 0);
      }
      default -> throw new IllegalArgumentException("The TDS test server does not read type 0x" + Integer.toHexString(id));
    };
  }

  /** The value that follows this TYPE_INFO: null, a Long, Boolean, Double, BigDecimal, String or byte[]. */
  Object readValue(WireReader in) {
    switch (id) {
      case NULLTYPE:
        return null;
      case INT1:
        return (long) in.u8();
      case BIT:
        return in.u8() != 0;
      case INT2:
        return (long) (short) in.u16();
      case INT4:
        return (long) (int) in.u32();
      case INT8:
        return in.u64();
      case FLT4:
        return (double) Float.intBitsToFloat((int) in.u32());
      case FLT8:
        return Double.longBitsToDouble(in.u64());
      case DATETIM4, MONEY4, MONEY, DATETIME:
        return in.bytes(maxLength);
      default:
        break;
    }
    if (maxLength == PLP && (id == NVARCHAR || id == BIGVARCHAR || id == BIGVARBINARY || id == XML)) {
      byte[] plp = readPlp(in);
      return plp == null ? null : decode(plp);
    }
    if (id == BIGVARBINARY || id == BIGBINARY || id == BIGVARCHAR || id == BIGCHAR || id == NVARCHAR || id == NCHAR) {
      int length = in.u16();
      return length == 0xFFFF ? null : decode(in.bytes(length));
    }
    if (id == IMAGE || id == TEXT || id == NTEXT) {
      int pointer = in.u8();
      if (pointer == 0) {
        return null;
      }
      in.bytes(pointer + 8);
      return decode(in.bytes((int) in.u32()));
    }
    int length = in.u8();
    if (length == 0) {
      return null;
    }
    byte[] value = in.bytes(length);
    return switch (id) {
      case INTN -> switch (length) {
        case 1 -> (long) (value[0] & 0xFF);
        case 2 -> (long) (short) littleEndian(value);
        case 4 -> (long) (int) littleEndian(value);
        default -> littleEndian(value);
      };
      case BITN -> value[0] != 0;
      case FLTN -> length == 4 ? (double) Float.intBitsToFloat((int) littleEndian(value))
        : Double.longBitsToDouble(littleEndian(value));
      case DECIMALN, NUMERICN -> {
        byte[] magnitude = new byte[length - 1];
        for (int i = 1; i < length; i++) {
          magnitude[length - 1 - i] = value[i];
        }
        BigDecimal decimal = new BigDecimal(new BigInteger(1, magnitude), scale);
        yield value[0] == 1 ? decimal : decimal.negate();
      }
      default -> value;
    };
  }

  private Object decode(byte[] bytes) {
    if (id == NVARCHAR || id == NCHAR || id == NTEXT || id == XML) {
      return new String(bytes, StandardCharsets.UTF_16LE);
    }
    if (id == BIGVARCHAR || id == BIGCHAR || id == TEXT) {
      return new String(bytes, StandardCharsets.ISO_8859_1);
    }
    return bytes;
  }

  private static byte[] readPlp(WireReader in) {
    long total = in.u64();
    if (total == -1L) {
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int chunk = (int) in.u32(); chunk != 0; chunk = (int) in.u32()) {
      out.writeBytes(in.bytes(chunk));
    }
    return out.toByteArray();
  }

  private static long littleEndian(byte[] value) {
    long result = 0;
    for (int i = value.length - 1; i >= 0; i--) {
      result = (result << 8) | (value[i] & 0xFF);
    }
    return result;
  }

  /** How a test names the type in assertions: nvarchar, varbinary, int, decimal, ... */
  public String name() {
    return switch (id) {
      case NVARCHAR -> "nvarchar";
      case NCHAR -> "nchar";
      case BIGVARCHAR -> "varchar";
      case BIGCHAR -> "char";
      case BIGVARBINARY -> "varbinary";
      case BIGBINARY -> "binary";
      case INTN, INT1, INT2, INT4, INT8 -> "int";
      case BITN, BIT -> "bit";
      case FLTN, FLT4, FLT8 -> "float";
      case DECIMALN, NUMERICN -> "decimal";
      case GUID -> "uniqueidentifier";
      case DATEN -> "date";
      case TIMEN -> "time";
      case DATETIME2N -> "datetime2";
      case DATETIMEOFFSETN -> "datetimeoffset";
      case NULLTYPE -> "null";
      default -> "0x" + Integer.toHexString(id);
    };
  }

  @Override
  public String toString() {
    return name() + (maxLength == PLP ? "(max)" : "") + (precision > 0 ? "(" + precision + "," + scale + ")" : "");
  }
}
