package io.fleetjobs.server.testsupport.tds;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * A column of a result set the test server sends: its name and SQL Server type, its COLMETADATA entry, and
 * how its values go into a ROW token. The types a test needs, nothing more.
 */
public record TdsColumn(String name, String sqlType, int length, int precision, int scale) {

  public static TdsColumn integer(String name) {
    return new TdsColumn(name, "int", 4, 0, 0);
  }

  public static TdsColumn bigint(String name) {
    return new TdsColumn(name, "bigint", 8, 0, 0);
  }

  public static TdsColumn bit(String name) {
    return new TdsColumn(name, "bit", 1, 0, 0);
  }

  public static TdsColumn nvarchar(String name, int characters) {
    return new TdsColumn(name, "nvarchar", characters, 0, 0);
  }

  public static TdsColumn varchar(String name, int characters) {
    return new TdsColumn(name, "varchar", characters, 0, 0);
  }

  public static TdsColumn varbinary(String name, int bytes) {
    return new TdsColumn(name, "varbinary", bytes, 0, 0);
  }

  /** nvarchar(max): sent in PLP chunks. */
  public static TdsColumn nvarcharMax(String name) {
    return new TdsColumn(name, "nvarchar", -1, 0, 0);
  }

  public static TdsColumn varbinaryMax(String name) {
    return new TdsColumn(name, "varbinary", -1, 0, 0);
  }

  public static TdsColumn uniqueidentifier(String name) {
    return new TdsColumn(name, "uniqueidentifier", 16, 0, 0);
  }

  public static TdsColumn decimal(String name, int precision, int scale) {
    return new TdsColumn(name, "decimal", 0, precision, scale);
  }

  /** UserType, Flags (nullable), TYPE_INFO and the name, as one COLMETADATA entry. */
  void writeMetadata(WireWriter out) {
    out.u32(0).u16(0x0001);
    writeTypeInfo(out);
    out.bVarchar(name);
  }

  void writeTypeInfo(WireWriter out) {
    switch (sqlType) {
      case "int", "bigint" -> out.u8(TypeInfo.INTN).u8(length);
      case "bit" -> out.u8(TypeInfo.BITN).u8(1);
      case "nvarchar" -> out.u8(TypeInfo.NVARCHAR).u16(length < 0 ? TypeInfo.PLP : length * 2).bytes(TypeInfo.COLLATION);
      case "varchar" -> out.u8(TypeInfo.BIGVARCHAR).u16(length < 0 ? TypeInfo.PLP : length).bytes(TypeInfo.COLLATION);
      case "varbinary" -> out.u8(TypeInfo.BIGVARBINARY).u16(length < 0 ? TypeInfo.PLP : length);
      case "uniqueidentifier" -> out.u8(TypeInfo.GUID).u8(16);
      case "decimal" -> out.u8(TypeInfo.DECIMALN).u8(decimalBytes() + 1).u8(precision).u8(scale);
      default -> throw new IllegalArgumentException(sqlType);
    }
  }

  void writeValue(WireWriter out, Object value) {
    switch (sqlType) {
      case "int", "bigint" -> {
        if (value == null) {
          out.u8(0);
        } else if (length == 4) {
          out.u8(4).u32(((Number) value).intValue());
        } else {
          out.u8(8).u64(((Number) value).longValue());
        }
      }
      case "bit" -> {
        if (value == null) {
          out.u8(0);
        } else {
          out.u8(1).u8((Boolean) value ? 1 : 0);
        }
      }
      case "nvarchar", "varchar", "varbinary" -> {
        byte[] bytes = value == null ? null : value instanceof byte[] raw ? raw : value.toString()
          .getBytes(sqlType.equals("nvarchar") ? StandardCharsets.UTF_16LE : StandardCharsets.ISO_8859_1);
        if (length < 0) {
          if (bytes == null) {
            out.u64(-1L);
          } else {
            out.u64(bytes.length).u32(bytes.length).bytes(bytes).u32(0);
          }
        } else if (bytes == null) {
          out.u16(0xFFFF);
        } else {
          out.u16(bytes.length).bytes(bytes);
        }
      }
      case "uniqueidentifier" -> {
        if (value == null) {
          out.u8(0);
          return;
        }
        java.util.UUID id = java.util.UUID.fromString(value.toString());
        java.nio.ByteBuffer big = java.nio.ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
          .putLong(id.getLeastSignificantBits());
        byte[] b = big.array();
        // SQL Server stores the first three groups little-endian.
        out.u8(16).bytes(new byte[] {b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], b[8], b[9], b[10], b[11], b[12],
          b[13], b[14], b[15]});
      }
      case "decimal" -> {
        if (value == null) {
          out.u8(0);
          return;
        }
        BigDecimal decimal = new BigDecimal(value.toString()).setScale(scale);
        BigInteger unscaled = decimal.unscaledValue().abs();
        int size = decimalBytes();
        out.u8(size + 1).u8(decimal.signum() < 0 ? 0 : 1);
        byte[] bigEndian = unscaled.toByteArray();
        for (int i = 0; i < size; i++) {
          int from = bigEndian.length - 1 - i;
          out.u8(from >= 0 ? bigEndian[from] : 0);
        }
      }
      default -> throw new IllegalArgumentException(sqlType);
    }
  }

  private int decimalBytes() {
    return precision <= 9 ? 4 : precision <= 19 ? 8 : precision <= 28 ? 12 : 16;
  }
}
