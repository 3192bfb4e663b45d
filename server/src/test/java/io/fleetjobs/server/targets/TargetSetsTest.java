package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TargetSetsTest {

  @Test
  void a_database_reached_twice_runs_once_whatever_the_spelling_of_its_server() {
    List<ResolvedTarget> resolved = TargetSets.resolve(List.of(
      target("pg1.example.com", "sales"),
      target("PG1.example.com:5432", "sales"),
      target("pg1.example.com:5433", "sales"),
      target("pg1.example.com", "hr")), List.of());
    assertEquals(List.of("pg1.example.com/sales", "pg1.example.com:5433/sales", "pg1.example.com/hr"),
      resolved.stream().map(t -> t.serverName() + "/" + t.databaseName()).toList());
  }

  @Test
  void excludes_remove_a_database_or_a_whole_server() {
    List<ResolvedTarget> included = List.of(target("a", "one"), target("a", "two"), target("b:5432", "one"));
    assertEquals(List.of("a/one", "b:5432/one"), names(TargetSets.resolve(included,
      List.of(new TargetSets.Exclusion("SqlDatabase", "postgresql", "A:5432", "two", null)))));
    assertEquals(List.of("a/one", "a/two"), names(TargetSets.resolve(included,
      List.of(new TargetSets.Exclusion("SqlServer", "postgresql", "b", null, null)))));
  }

  private static List<String> names(List<ResolvedTarget> targets) {
    return targets.stream().map(t -> t.serverName() + "/" + t.databaseName()).toList();
  }

  private static ResolvedTarget target(String server, String database) {
    return new ResolvedTarget("SqlDatabase", UUID.randomUUID(), "postgresql", server, database, server, false);
  }
}
