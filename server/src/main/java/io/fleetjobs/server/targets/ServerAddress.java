package io.fleetjobs.server.targets;

/** A member's serverName split into host and port: host, host:port or [ipv6]:port. */
public record ServerAddress(String host, int port) {

  public static ServerAddress parse(String serverName, int defaultPort) {
    if (serverName.startsWith("[")) {
      int close = serverName.indexOf(']');
      String host = serverName.substring(1, close);
      String rest = serverName.substring(close + 1);
      return new ServerAddress(host, rest.startsWith(":") ? Integer.parseInt(rest.substring(1)) : defaultPort);
    }
    int colon = serverName.lastIndexOf(':');
    return colon < 0
      ? new ServerAddress(serverName, defaultPort)
      : new ServerAddress(serverName.substring(0, colon), Integer.parseInt(serverName.substring(colon + 1)));
  }
}
