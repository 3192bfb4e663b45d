package io.fleetjobs.server.targets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How include and exclude members combine into the databases a step runs on. Pure: servers are compared by
 * the keys {@link ServerKeys} resolved, so two spellings of one server are one server.
 */
public final class TargetSets {
  private TargetSets() {
  }

  /** What an exclude member removes: a database, a whole server, or (on SQL Server) a pool. */
  public record Exclusion(String type, String serverKey, String databaseName, String elasticPoolName) {
    boolean removes(ResolvedTarget target) {
      if (!serverKey.equals(target.serverKey())) {
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

  /** A spelling of a server that was merged into the first spelling of the same server. */
  public record Merge(String serverName, String sameAs) {
  }

  /** The databases to run on, and which server spellings were merged to get there. */
  public record Resolved(List<ResolvedTarget> targets, List<Merge> merges) {
  }

  /** Every included database not excluded, each once: the first member that reached it keeps it. */
  public static Resolved resolve(Collection<ResolvedTarget> included, Collection<Exclusion> excluded) {
    Map<String, ResolvedTarget> unique = new LinkedHashMap<>();
    Set<Merge> merges = new LinkedHashSet<>();
    for (ResolvedTarget target : included) {
      if (excluded.stream().anyMatch(exclusion -> exclusion.removes(target))) {
        continue;
      }
      ResolvedTarget kept = unique.putIfAbsent(target.serverKey() + "/" + target.databaseName(), target);
      if (kept != null && !kept.serverName().equals(target.serverName())) {
        merges.add(new Merge(target.serverName(), kept.serverName()));
      }
    }
    return new Resolved(List.copyOf(unique.values()), new ArrayList<>(merges));
  }
}
