package io.fleetjobs.server.bus;

/** Every event-bus address of the agent, named area.noun.verb, with how it is used. */
public final class Addresses {
  /** request-reply: one claimed target execution for an executor to run, acknowledged on receipt. Body: {@link TargetWork}. */
  public static final String TARGET_RUN = "targets.execution.run";
  /** publish: a target execution ended or went to wait for a retry. Body: {@link TargetFinished}. */
  public static final String TARGET_FINISHED = "targets.execution.finished";
  /** publish: stop these in-flight target executions. Body: {"targetExecutionIds": [...]}. */
  public static final String TARGET_CANCEL = "targets.execution.cancel";
  /** publish: work may be ready; dispatchers claim now rather than at their next tick. Body: none. */
  public static final String DISPATCH_WAKE = "dispatch.work.wake";
  /** publish: the tier was changed through the API. Body: {"tier": "JA200"}. */
  public static final String TIER_CHANGED = "agent.tier.changed";

  private Addresses() {
  }
}
