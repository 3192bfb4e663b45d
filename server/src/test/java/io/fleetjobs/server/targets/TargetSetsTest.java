package io.fleetjobs.server.targets;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TargetSetsTest {

  @Test
  void a_database_reached_twice_runs_once_whatever_the_spelling_of_its_server() {
    TargetSets.Resolved resolved = TargetSets.resolve(List.of(
      target("pg1.example.com", "sales"),
      target("PG1.example.com:5432", "sales"),
      target("pg1.example.com:5433", "sales"),
      target("pg1.example.com", "hr")), List.of());
    assertEquals(List.of("pg1.example.com/sales", "pg1.example.com:5433/sales", "pg1.example.com/hr"),
      names(resolved.targets()));
    assertEquals(List.of(new TargetSets.Merge("PG1.example.com:5432", "pg1.example.com")), resolved.merges(),
      "the first spelling is kept, and the merge is said");
  }

  @Test
  void excludes_remove_a_database_or_a_whole_server() {
    List<ResolvedTarget> included = List.of(target("a", "one"), target("a", "two"), target("b:5432", "one"));
    assertEquals(List.of("a/one", "b:5432/one"), names(TargetSets.resolve(included,
      List.of(new TargetSets.Exclusion("SqlDatabase", key("A:5432"), "two", null))).targets()));
    assertEquals(List.of("a/one", "a/two"), names(TargetSets.resolve(included,
      List.of(new TargetSets.Exclusion("SqlServer", key("b"), null, null))).targets()));
  }

  @Test
  void literal_keys_ignore_case_and_make_the_default_port_explicit() {
    assertEquals("pg1.example.com:5432", key("PG1.example.com"));
    assertEquals("pg1.example.com:5433", key("pg1.example.com:5433"));
    assertEquals("tcp:db1,1433", ServerKeys.literalKey(new ServerKeys.Server("tcp:DB1,1433", "sqlserver")),
      "forms only a driver parses key as written");
  }

  private static List<String> names(List<ResolvedTarget> targets) {
    return targets.stream().map(t -> t.serverName() + "/" + t.databaseName()).toList();
  }

  private static String key(String server) {
    return ServerKeys.literalKey(new ServerKeys.Server(server, "postgresql"));
  }

  private static ResolvedTarget target(String server, String database) {
    return new ResolvedTarget("SqlDatabase", UUID.randomUUID(), "postgresql", server, key(server), database, server,
      ConnectionSettings.DEFAULT);
  }
}
