package io.fleetjobs.server.targets.jdbc;

import java.util.Properties;

/** Where a JDBC connection goes and with what properties, secrets included: never logged. */
public record JdbcEndpoint(String url, Properties properties) {
  @Override
  public String toString() {
    return "JdbcEndpoint[" + url + "]";
  }
}
