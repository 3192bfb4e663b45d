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
 * IPv4 addresses hidden in IPv6 forms are unwrapped. Operators who really do deliver inside their network
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
    byte[] embedded = embeddedIpv4(raw);
    if (isAllowed(raw) || embedded != null && isAllowed(embedded)) {
      return null;
    }
    String reason = reason(raw);
    if (reason != null) {
      return address.getHostAddress() + " is " + reason;
    }
    String embeddedReason = embedded == null ? null : reason(embedded);
    if (embeddedReason != null) {
      return address.getHostAddress() + " embeds the IPv4 address " + dotted(embedded) + ", " + embeddedReason;
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

  /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 address. */
  private static byte[] embeddedIpv4(byte[] address) {
    if (address.length != 16) {
      return null;
    }
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return null;
      }
    }
    boolean mapped = address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    boolean compatible = address[10] == 0 && address[11] == 0;
    return mapped || compatible ? Arrays.copyOfRange(address, 12, 16) : null;
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
