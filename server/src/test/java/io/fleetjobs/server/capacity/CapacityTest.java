package io.fleetjobs.server.capacity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetjobs.server.config.Tier;
import io.fleetjobs.server.db.JobDatabase;
import io.fleetjobs.server.testsupport.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The tier cap and what is sized from it, and the tier as the job database keeps it. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class CapacityTest {

  @Test
  void the_claim_gets_the_number_in_the_tiers_name_and_a_jdbc_pool_as_many_connections() {
    Capacity capacity = Capacity.inMemory(Tier.JA100);
    assertEquals(100, capacity.concurrentTargets());
    assertEquals(100, capacity.jdbcPoolSize());
    capacity.save(Tier.JA400).await();
    assertEquals(Tier.JA400, capacity.tier());
    assertEquals(400, capacity.concurrentTargets());
    assertEquals(400, capacity.jdbcPoolSize());
    assertEquals(800, Capacity.concurrentTargets(Tier.JA800));
  }

  @Test
  void the_worker_threads_cover_the_top_tier_plus_spares_whatever_the_tier() {
    for (Tier tier : Tier.values()) {
      assertEquals(816, Capacity.inMemory(tier).workerThreads(), tier.name());
    }
  }

  @Test
  void refresh_reads_the_stored_tier_and_a_job_database_without_one_is_at_ja100(Vertx vertx) {
    JobDatabase db = JobDatabase.fromUrl(TestPostgres.url(TestPostgres.newJobDatabase("capacity")));
    Pool pool = db.pool(vertx, "capacity-test", 2);
    try {
      Capacity one = new Capacity(pool);
      assertEquals(Tier.JA100, one.refresh().await());
      one.save(Tier.JA200).await();
      assertEquals(200, one.concurrentTargets(), "saving is this agent's reading too");

      Capacity another = new Capacity(pool);
      assertEquals(Tier.JA100, another.tier(), "nothing read yet");
      assertEquals(Tier.JA200, another.refresh().await());
      assertEquals(200, another.concurrentTargets());
      one.save(Tier.JA800).await();
      assertEquals(Tier.JA800, another.refresh().await(), "a change through another agent is read");
      assertEquals(800, another.concurrentTargets());
    } finally {
      pool.close().await();
    }
  }
}
