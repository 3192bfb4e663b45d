package io.fleetjobs.server.jobs;

import io.vertx.core.Future;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Step definitions by (job, version, step). A version never changes once written, so each is read from
 * the job database once and then served from memory to every target of every run that pins it.
 */
public final class PinnedSteps {
  private static final int MAX_CACHED = 10_000;
  private final JobStepRepository steps;
  private final Map<String, JobStep> cache = new ConcurrentHashMap<>();

  public PinnedSteps(JobStepRepository steps) {
    this.steps = steps;
  }

  public Future<JobStep> get(UUID jobId, int version, int stepId) {
    String key = jobId + "/" + version + "/" + stepId;
    JobStep cached = cache.get(key);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    return steps.pinned(jobId, version, stepId).onSuccess(step -> {
      if (cache.size() >= MAX_CACHED) {
        cache.clear();
      }
      cache.put(key, step);
    });
  }
}
