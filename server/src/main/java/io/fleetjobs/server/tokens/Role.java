package io.fleetjobs.server.tokens;

import java.util.Locale;

/** What a token may do; each role includes the ones before it. PUBLIC needs no token at all. */
public enum Role {
  PUBLIC,
  READER,
  OPERATOR,
  ADMIN;

  public boolean covers(Role required) {
    return compareTo(required) >= 0;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role parse(String wireName) {
    return valueOf(wireName.toUpperCase(Locale.ROOT));
  }
}
