package io.fleetjobs.server.testsupport;

import java.nio.charset.StandardCharsets;

/** Text as it goes into a URL path segment or query value. */
public final class PathSegments {
  private PathSegments() {
  }

  /** Percent-encodes every UTF-8 byte but the unreserved characters, as encodeURIComponent does and more. */
  public static String encode(String text) {
    StringBuilder encoded = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
        encoded.append(c);
      } else {
        encoded.append('%').append(String.format("%02X", b & 0xff));
      }
    }
    return encoded.toString();
  }
}
