package io.fleetjobs.server.testsupport.tds;

import java.util.ArrayList;
import java.util.List;

/** A BULK_LOAD message (MS-TDS 2.2.6.1): the rows of an INSERT BULK, as column metadata and ROW tokens. */
final class BulkLoad {
  private BulkLoad() {
  }

  static TdsRequest parse(int connection, TdsWire.Message message) {
    WireReader in = new WireReader(message.payload());
    List<TypeInfo> types = new ArrayList<>();
    List<List<Object>> rows = new ArrayList<>();
    while (in.hasMore()) {
      int token = in.u8();
      if (token == Tokens.COLMETADATA) {
        int count = in.u16();
        for (int i = 0; i < count; i++) {
          in.u32();
          in.u16();
          TypeInfo type = TypeInfo.read(in);
          if (type.id() == TypeInfo.TEXT || type.id() == TypeInfo.NTEXT || type.id() == TypeInfo.IMAGE) {
            int parts = in.u8();
            for (int p = 0; p < parts; p++) {
              in.usVarchar();
            }
          }
          in.bVarchar();
          types.add(type);
        }
      } else if (token == Tokens.ROW) {
        List<Object> row = new ArrayList<>();
        types.forEach(type -> row.add(type.readValue(in)));
        rows.add(row);
      } else {
        break;
      }
    }
    return new TdsRequest(connection, TdsRequest.Kind.BULK_LOAD, message.resetsConnection(), List.of(),
      List.copyOf(types), rows);
  }
}
