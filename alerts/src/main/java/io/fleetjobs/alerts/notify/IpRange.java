package io.fleetjobs.alerts.notify;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 CIDR range parsed from a literal without ever touching DNS: an allow-list entry that
 * is a host name would make the guard depend on whatever that name resolves to at startup. IPv4 is
 * parsed here, octet by octet; IPv6 goes to {@link InetAddress#getByName} only once it contains a colon
 * and starts with a hex digit or a colon, which the JDK always treats as a literal.
 */
final class IpRange {
  private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:][0-9A-Fa-f:.]*");
  private static final Pattern PREFIX = Pattern.compile("[0-9]{1,3}");
  private static final int MAPPED_PREFIX_BITS = 96;

  private final byte[] network;
  private final int prefix;

  private IpRange(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code address} or {@code address/prefix}; the message of a failure says what is wrong. */
  static IpRange parse(String text) {
    int slash = text.indexOf('/');
    String literal = slash < 0 ? text : text.substring(0, slash);
    boolean writtenAsIpv6 = literal.indexOf(':') >= 0;
    byte[] address = writtenAsIpv6 ? ipv6(literal) : ipv4(literal);
    int width = (writtenAsIpv6 ? 16 : address.length) * 8;
    int prefix = slash < 0 ? width : prefix(text.substring(slash + 1), width);
    if (address.length == 4 && writtenAsIpv6) {
      // The JDK turns ::ffff:a.b.c.d into an IPv4 address, so the prefix must follow it into IPv4 terms.
      if (prefix < MAPPED_PREFIX_BITS) {
        throw new IllegalArgumentException("an IPv4-mapped range needs a prefix of at least /96");
      }
      prefix -= MAPPED_PREFIX_BITS;
    }
    return new IpRange(address, prefix);
  }

  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int whole = prefix / 8;
    for (int i = 0; i < whole; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest);
    return ((address[whole] ^ network[whole]) & mask) == 0;
  }

  private static byte[] ipv4(String literal) {
    if (!IPV4.matcher(literal).matches()) {
      throw new IllegalArgumentException("not an IP address literal");
    }
    String[] octets = literal.split("\\.");
    byte[] address = new byte[4];
    for (int i = 0; i < 4; i++) {
      int octet = Integer.parseInt(octets[i]);
      if (octet > 255) {
        throw new IllegalArgumentException("octet " + octet + " is above 255");
      }
      address[i] = (byte) octet;
    }
    return address;
  }

  private static byte[] ipv6(String literal) {
    if (!IPV6.matcher(literal).matches()) {
      throw new IllegalArgumentException("not an IPv6 address literal");
    }
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not a valid IPv6 address");
    }
  }

  private static int prefix(String text, int width) {
    if (!PREFIX.matcher(text).matches() || Integer.parseInt(text) > width) {
      throw new IllegalArgumentException("the prefix length must be a number from 0 to " + width);
    }
    return Integer.parseInt(text);
  }
}
