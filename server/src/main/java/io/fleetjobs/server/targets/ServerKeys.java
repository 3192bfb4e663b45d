package io.fleetjobs.server.targets;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which spellings of a server name one server: "localhost:5432", "LOCALHOST" and "127.0.0.1:5432" all resolve
 * to 127.0.0.1:5432. A key is the server's address (the lowest IPv4 one when a name has several, so a name that
 * resolves to 127.0.0.1 and ::1 matches 127.0.0.1) and port, the engine's default port when none is written.
 * A name that does not parse or resolve keys as written, lower-cased: its connections will say why it fails.
 */
public final class ServerKeys {
  private static final Map<String, Integer> DEFAULT_PORTS = Map.of("postgresql", 5432, "sqlserver", 1433,
    "mysql", 3306);
  private static final Comparator<InetAddress> IPV4_FIRST = Comparator
    .comparing((InetAddress address) -> address instanceof Inet4Address ? 0 : 1)
    .thenComparing(InetAddress::getHostAddress);

  /** A server as a member names it, with the engine that gives it its default port. */
  public record Server(String serverName, String engine) {
  }

  private final Vertx vertx;

  public ServerKeys(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Resolves each distinct host once, off the event loop (the system resolver blocks). */
  public Future<Map<Server, String>> keys(Collection<Server> servers) {
    Set<Server> distinct = new LinkedHashSet<>(servers);
    if (distinct.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return vertx.executeBlocking(() -> {
      Map<String, String> addresses = new HashMap<>();
      Map<Server, String> keys = new HashMap<>();
      for (Server server : distinct) {
        keys.put(server, key(server, host -> addresses.computeIfAbsent(host, ServerKeys::address)));
      }
      return keys;
    }, false);
  }

  /** The key without resolving: host lower-cased and the default port made explicit. Pure; for tests and fallbacks. */
  public static String literalKey(Server server) {
    return key(server, host -> host.toLowerCase(Locale.ROOT));
  }

  private interface Resolver {
    String address(String host);
  }

  private static String key(Server server, Resolver resolver) {
    ServerAddress address;
    try {
      address = ServerAddress.parse(server.serverName(), DEFAULT_PORTS.getOrDefault(server.engine(), 0));
    } catch (RuntimeException e) {
      // Forms only a driver understands (sqlcmd's tcp:host,port, a named instance) key as written.
      return server.serverName().toLowerCase(Locale.ROOT);
    }
    return resolver.address(address.host()) + ":" + address.port();
  }

  private static String address(String host) {
    try {
      List<InetAddress> all = Arrays.asList(InetAddress.getAllByName(host));
      return all.stream().min(IPV4_FIRST).map(InetAddress::getHostAddress).orElse(host.toLowerCase(Locale.ROOT));
    } catch (Exception e) {
      return host.toLowerCase(Locale.ROOT);
    }
  }
}
