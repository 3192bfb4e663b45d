package io.fleetjobs.server.testsupport.tds;

import java.nio.charset.StandardCharsets;

/**
 * What a LOGIN7 message (MS-TDS 2.2.6.4) carried: the SQL login, the application and database names, and for
 * Microsoft Entra, the FEDAUTH feature's library and, with a security token, the token itself.
 *
 * @param fedAuthLibrary -1 without FEDAUTH; 1 for a security token in the login (the accessToken property),
 *     2 for the ADAL/MSAL workflow, where the token follows in a FEDAUTH_TOKEN message
 * @param accessToken the token sent in the login or in the FEDAUTH_TOKEN message that followed it
 */
public record Login7(String userName, String password, String applicationName, String serverName, String database,
                     int packetSize, int fedAuthLibrary, String accessToken) {
  static final int FEATURE_FEDAUTH = 0x02;
  static final int FEATURE_TERMINATOR = 0xFF;
  public static final int LIBRARY_SECURITY_TOKEN = 0x01;
  public static final int LIBRARY_MSAL = 0x02;
  private static final int OPTION_FLAGS3_EXTENSION = 0x10;

  static Login7 parse(byte[] payload) {
    WireReader in = new WireReader(payload);
    in.u32();
    in.u32();
    int packetSize = (int) in.u32();
    in.position(24);
    in.u8();
    in.u8();
    in.u8();
    int optionFlags3 = in.u8();
    in.position(36);
    String host = string(in, payload);
    String user = string(in, payload);
    int passwordOffset = in.u16();
    int passwordLength = in.u16();
    String application = string(in, payload);
    String server = string(in, payload);
    int extensionOffset = in.u16();
    in.u16();
    string(in, payload);
    string(in, payload);
    String database = string(in, payload);
    int library = -1;
    String token = null;
    if ((optionFlags3 & OPTION_FLAGS3_EXTENSION) != 0) {
      WireReader features = new WireReader(payload, (int) new WireReader(payload, extensionOffset).u32());
      for (int id = features.u8(); id != FEATURE_TERMINATOR; id = features.u8()) {
        int length = (int) features.u32();
        int end = features.position() + length;
        if (id == FEATURE_FEDAUTH) {
          library = features.u8() >> 1;
          if (library == LIBRARY_SECURITY_TOKEN) {
            int tokenLength = (int) features.u32();
            token = new String(features.bytes(tokenLength), StandardCharsets.UTF_16LE);
          }
        }
        features.position(end);
      }
    }
    return new Login7(user, password(payload, passwordOffset, passwordLength), application, server, database,
      packetSize, library, token);
  }

  Login7 withAccessToken(String token) {
    return new Login7(userName, password, applicationName, serverName, database, packetSize, fedAuthLibrary, token);
  }

  private static String string(WireReader in, byte[] payload) {
    int offset = in.u16();
    int length = in.u16();
    return length == 0 ? "" : new String(payload, offset, length * 2, StandardCharsets.UTF_16LE);
  }

  /** Each byte had its nibbles swapped and was XORed with 0xA5. */
  private static String password(byte[] payload, int offset, int characters) {
    byte[] plain = new byte[characters * 2];
    for (int i = 0; i < plain.length; i++) {
      int b = (payload[offset + i] & 0xFF) ^ 0xA5;
      plain[i] = (byte) (((b & 0x0F) << 4) | ((b & 0xF0) >> 4));
    }
    return new String(plain, StandardCharsets.UTF_16LE);
  }

  @Override
  public String toString() {
    return "Login7[user=" + userName + ", application=" + applicationName + ", database=" + database
      + ", fedAuthLibrary=" + fedAuthLibrary + "]";
  }
}
