package io.fleetjobs.server.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.testsupport.RoutineDatabase;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The registry's routines (R__agents.sql) on a real PostgreSQL: fair shares, lost and stopped agents. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class AgentRegistryRoutinesTest {
  private RoutineDatabase db;

  @BeforeEach
  void migrate() throws Exception {
    db = RoutineDatabase.migrated("agent_registry");
  }

  @AfterEach
  void close() throws Exception {
    db.close();
  }

  @Test
  void a_single_agent_gets_the_whole_capacity() throws Exception {
    assertEquals(List.of(1, 100), beat("a", 100, 1000));
  }

  @Test
  void live_agents_split_the_capacity_and_the_shares_cover_it() throws Exception {
    beat("a", 100, 1000);
    beat("b", 100, 1000);
    assertEquals(List.of(3, 34), beat("c", 100, 1000));
    assertEquals(List.of(3, 34), beat("a", 100, 1000));
  }

  @Test
  void a_stopped_agent_leaves_its_share_to_the_others_at_their_next_heartbeat() throws Exception {
    beat("a", 100, 1000);
    beat("b", 100, 1000);
    db.query("SELECT jobs_internal.agent_stopped('b')");
    assertEquals(List.of(1, 100), beat("a", 100, 1000));
  }

  @Test
  void an_agent_three_heartbeats_late_is_lost_and_its_share_taken_over() throws Exception {
    beat("a", 100, 1000);
    beat("b", 100, 1000);
    db.query("UPDATE jobs_internal.agents SET last_seen = now() - interval '7 seconds' WHERE agent_id = 'b'");
    assertEquals(List.of(1, 100), beat("a", 100, 1000), "2-second heartbeats: 7 seconds is three missed");
    assertEquals("Lost", db.value("SELECT CASE WHEN jobs_internal.is_live(last_seen, heartbeat_seconds, stopped_time)"
      + " THEN 'Live' ELSE 'Lost' END FROM jobs_internal.agents WHERE agent_id = 'b'"));
  }

  @Test
  void an_agents_own_cap_bounds_its_share() throws Exception {
    assertEquals(List.of(1, 20), beat("small", 100, 20));
  }

  @Test
  void agents_gone_for_more_than_a_day_are_dropped() throws Exception {
    beat("old", 100, 1000);
    db.query("UPDATE jobs_internal.agents SET last_seen = now() - interval '25 hours' WHERE agent_id = 'old'");
    beat("new", 100, 1000);
    assertEquals(List.of(List.of("new")), db.query("SELECT agent_id FROM jobs_internal.agents"));
  }

  @Test
  void the_claim_gives_an_agent_no_more_than_its_share() throws Exception {
    db.execution("shares", 1, 30, 0, java.time.Instant.parse("2026-11-01T12:00:00Z"));
    java.time.Instant now = java.time.Instant.parse("2026-11-01T12:00:00Z");
    assertEquals(10, claim("a", 10, now));
    assertEquals(0, claim("a", 10, now), "a has its share running");
    assertEquals(10, claim("b", 10, now));
  }

  private int claim(String owner, int share, java.time.Instant now) throws Exception {
    return db.query("SELECT target_execution_id FROM jobs_internal.claim_targets(?, 100, ?, 100, 30, ?)", owner, share,
      RoutineDatabase.at(now)).size();
  }

  private List<Object> beat(String agent, int capacity, int maxTargets) throws Exception {
    return db.query("""
        SELECT live_agents, share FROM jobs_internal.heartbeat(?, 'host', 1, 'test', now(), 2, ?, ?)""",
      agent, capacity, maxTargets).get(0);
  }
}
