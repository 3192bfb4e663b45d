package io.fleetjobs.server.targets;

/** A username and its opened password, held only as long as a connection needs it. */
public record Login(String username, String password) {
  @Override
  public String toString() {
    return "Login[" + username + "]";
  }
}
