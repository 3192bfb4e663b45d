package io.fleetjobs.server.targets;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How include and exclude members combine into the databases a step runs on. Pure. */
public final class TargetSets {
  private static final Map<String, Integer> DEFAULT_PORTS = Map.of("postgresql", 5432, "sqlserver", 1433);
  private TargetSets() {
  }

  /** host, HOST and host:5432 are one PostgreSQL server: compare hosts without case and ports with their default. */
  static String serverKey(String serverName, String engine) {
    ServerAddress address = ServerAddress.parse(serverName, DEFAULT_PORTS.getOrDefault(engine, 0));
    return address.host().toLowerCase(Locale.ROOT) + ":" + address.port();
  }

  /** What an exclude member removes: a database, a whole server, or (on SQL Server) a pool. */
  public record Exclusion(String type, String engine, String serverName, String databaseName, String elasticPoolName) {
    boolean removes(ResolvedTarget target) {
      if (!serverKey(serverName, engine).equals(serverKey(target.serverName(), target.engine()))) {
        return false;
      }
      return switch (type) {
        case "SqlServer" -> true;
        case "SqlDatabase" -> databaseName.equals(target.databaseName());
        case "SqlElasticPool" -> elasticPoolName.equalsIgnoreCase(target.parallelGroup());
        default -> false;
      };
    }
  }

  /** Every included database not excluded, each once (the first member that reached it keeps it). */
  public static List<ResolvedTarget> resolve(Collection<ResolvedTarget> included, Collection<Exclusion> excluded) {
    Map<String, ResolvedTarget> unique = new LinkedHashMap<>();
    for (ResolvedTarget target : included) {
      if (excluded.stream().noneMatch(exclusion -> exclusion.removes(target))) {
        unique.putIfAbsent(serverKey(target.serverName(), target.engine()) + "/" + target.databaseName(), target);
      }
    }
    return List.copyOf(unique.values());
  }
}
