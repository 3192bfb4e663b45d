package io.fleetjobs.alerts.notify;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Keeps user-supplied webhook URLs from reaching the agent's own network: without it, anyone who may
 * create a webhook could make the server POST to loopback admin ports, cloud metadata (169.254.169.254)
 * or private services. Every resolved address is checked, since a host name can point anywhere, and
 * IPv4 addresses hidden in IPv6 forms (mapped, compatible, translated, NAT64, 6to4, Teredo) are unwrapped:
 * a translator on the path would take the connection to them. Operators who really do deliver inside their network
 * list those addresses or ranges in {@code FLEETJOBS_WEBHOOK_ALLOW}. Callers must connect to the address
 * {@link #resolve} returns rather than resolving the host again, or a second DNS answer could differ.
 */
public final class SsrfGuard {
  private static final String ALLOW_VARIABLE = "FLEETJOBS_WEBHOOK_ALLOW";
  private static final int MAX_URI_LENGTH = 2048;
  private static final List<Blocked> BLOCKED = List.of(
      blocked("0.0.0.0/8", "an unspecified (any-local) address"),
      blocked("127.0.0.0/8", "a loopback address"),
      blocked("169.254.0.0/16", "a link-local address"),
      blocked("10.0.0.0/8", "a private address"),
      blocked("172.16.0.0/12", "a private address"),
      blocked("192.168.0.0/16", "a private address"),
      blocked("100.64.0.0/10", "a carrier-grade NAT address"),
      blocked("224.0.0.0/4", "a multicast address"),
      blocked("255.255.255.255/32", "the broadcast address"),
      blocked("::/128", "an unspecified (any-local) address"),
      blocked("::1/128", "a loopback address"),
      blocked("fe80::/10", "a link-local address"),
      blocked("fec0::/10", "a site-local address"),
      blocked("fc00::/7", "a unique-local address"),
      blocked("ff00::/8", "a multicast address"));

  private static final byte[] NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  private static final byte[] LOCAL_NAT64 = {0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 1};
  private static final byte[] SIX_TO_FOUR = {0x20, 0x02};
  private static final byte[] TEREDO = {0x20, 0x01, 0, 0};

  private final List<IpRange> allowed;

  private SsrfGuard(List<IpRange> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  /** Reads the allow-list: comma-separated addresses or CIDR ranges, with null or blank meaning none. */
  public static SsrfGuard parse(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return new SsrfGuard(List.of());
    }
    return new SsrfGuard(Arrays.stream(commaSeparated.split(","))
        .map(String::trim)
        .filter(entry -> !entry.isEmpty())
        .map(SsrfGuard::allowEntry)
        .toList());
  }

  /** Null when {@code address} may be called, otherwise why not, for example "127.0.0.1 is a loopback address". */
  public String refusal(InetAddress address) {
    byte[] raw = address.getAddress();
    if (isAllowed(raw)) {
      return null;
    }
    String reason = reason(raw);
    if (reason != null) {
      return address.getHostAddress() + " is " + reason;
    }
    for (byte[] embedded : embeddedIpv4(raw)) {
      String embeddedReason = isAllowed(embedded) ? null : reason(embedded);
      if (embeddedReason != null) {
        return address.getHostAddress() + " embeds the IPv4 address " + dotted(embedded) + ", " + embeddedReason;
      }
    }
    return null;
  }

  /**
   * Checks the syntax of a webhook URL; the host is checked later by {@link #resolve}. Messages never
   * repeat the URL, since webhook URLs often carry a token in their path or query.
   */
  public static URI checkedUri(String serviceUri, String field) {
    if (serviceUri == null || serviceUri.isBlank()) {
      throw new InvalidInput(field, field + " is required");
    }
    if (serviceUri.length() > MAX_URI_LENGTH) {
      throw new InvalidInput(field, field + " must be at most " + MAX_URI_LENGTH + " characters long");
    }
    URI uri;
    try {
      uri = new URI(serviceUri);
    } catch (URISyntaxException e) {
      throw new InvalidInput(field, field + " is not a valid URI");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!uri.isAbsolute() || !scheme.equals("http") && !scheme.equals("https")) {
      throw new InvalidInput(field, field + " must be an absolute http or https URL");
    }
    if (uri.getHost() == null) {
      throw new InvalidInput(field, field + " must name a host");
    }
    if (uri.getRawUserInfo() != null) {
      throw new InvalidInput(field, field + " must not contain a user name or password; put credentials in headers");
    }
    return uri;
  }

  /**
   * Resolves the host of {@code uri} off the event loop and succeeds with its first address, but only if
   * every address it resolves to is allowed.
   */
  public Future<InetAddress> resolve(Vertx vertx, URI uri) {
    String host = uri.getHost();
    if (host == null) {
      return Future.failedFuture(new RefusedDestination("the webhook URL has no host"));
    }
    // Unordered: lookups for different webhooks need not wait for each other on the same context.
    return vertx.executeBlocking(() -> InetAddress.getAllByName(host), false)
        .recover(e -> Future.failedFuture(new RefusedDestination("cannot resolve host " + host)))
        .compose(addresses -> checked(host, addresses));
  }

  private Future<InetAddress> checked(String host, InetAddress[] addresses) {
    for (InetAddress address : addresses) {
      String refusal = refusal(address);
      if (refusal != null) {
        return Future.failedFuture(new RefusedDestination("refusing webhook host " + host + ": " + refusal
            + "; add " + address.getHostAddress() + " to " + ALLOW_VARIABLE + " if this destination is intended"));
      }
    }
    return Future.succeededFuture(addresses[0]);
  }

  private boolean isAllowed(byte[] address) {
    return allowed.stream()
        .anyMatch(range -> range.contains(address));
  }

  private static String reason(byte[] address) {
    return BLOCKED.stream()
        .filter(blocked -> blocked.range().contains(address))
        .map(Blocked::reason)
        .findFirst()
        .orElse(null);
  }

  /**
   * The IPv4 addresses an IPv6 address stands for, where a translator or a tunnel would take a connection to
   * it: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), NAT64
   * (64:ff9b::/96, RFC 6052), local-use NAT64 (64:ff9b:1::/48, RFC 8215: the operator picks a longer prefix, so
   * each place RFC 6052 allows for one inside it counts), 6to4 (2002::/16, RFC 3056) and Teredo (2001::/32,
   * RFC 4380: the server, and the client, stored inverted).
   */
  private static List<byte[]> embeddedIpv4(byte[] address) {
    if (address.length != 16) {
      return List.of();
    }
    if (zeros(address, 0, 10) && (address[10] == (byte) 0xff && address[11] == (byte) 0xff || zeros(address, 10, 12))
      || zeros(address, 0, 8) && address[8] == (byte) 0xff && address[9] == (byte) 0xff && zeros(address, 10, 12)
      || startsWith(address, NAT64)) {
      return List.of(bytes(address, 12, 13, 14, 15));
    }
    if (startsWith(address, LOCAL_NAT64)) {
      // The usual /96 first; byte 8 holds RFC 6052's reserved u octet, never address bits.
      return List.of(bytes(address, 12, 13, 14, 15), bytes(address, 9, 10, 11, 12), bytes(address, 7, 9, 10, 11),
        bytes(address, 6, 7, 9, 10));
    }
    if (startsWith(address, SIX_TO_FOUR)) {
      return List.of(bytes(address, 2, 3, 4, 5));
    }
    if (startsWith(address, TEREDO)) {
      byte[] client = bytes(address, 12, 13, 14, 15);
      for (int i = 0; i < client.length; i++) {
        client[i] = (byte) ~client[i];
      }
      return List.of(bytes(address, 4, 5, 6, 7), client);
    }
    return List.of();
  }

  private static boolean zeros(byte[] address, int from, int to) {
    for (int i = from; i < to; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean startsWith(byte[] address, byte[] prefix) {
    return Arrays.equals(address, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] bytes(byte[] address, int... positions) {
    byte[] picked = new byte[positions.length];
    for (int i = 0; i < positions.length; i++) {
      picked[i] = address[positions[i]];
    }
    return picked;
  }

  private static String dotted(byte[] ipv4) {
    return (ipv4[0] & 0xff) + "." + (ipv4[1] & 0xff) + "." + (ipv4[2] & 0xff) + "." + (ipv4[3] & 0xff);
  }

  private static IpRange allowEntry(String entry) {
    try {
      return IpRange.parse(entry);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ALLOW_VARIABLE + " entry '" + entry + "' is not an IP address or CIDR range: "
          + e.getMessage());
    }
  }

  private static Blocked blocked(String cidr, String reason) {
    return new Blocked(IpRange.parse(cidr), reason);
  }

  private record Blocked(IpRange range, String reason) {
  }
}
