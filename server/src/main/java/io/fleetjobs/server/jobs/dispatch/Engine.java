package io.fleetjobs.server.jobs.dispatch;

import io.fleetjobs.server.capacity.Capacity;
import io.fleetjobs.server.config.AgentConfig.EngineSettings;
import io.fleetjobs.server.credentials.LoginCache;
import io.fleetjobs.server.jobs.PinnedSteps;
import io.fleetjobs.server.metrics.ExecutionMetrics;
import io.fleetjobs.server.targets.TargetDrivers;

/**
 * What the dispatcher and the executors share within one agent. {@code agentId} names this process in
 * leases, so a lease outlives neither the process nor a restart.
 */
public record Engine(
  String agentId,
  EngineSettings settings,
  ClaimRepository claims,
  PinnedSteps steps,
  StepExpander expander,
  LoginCache logins,
  TargetDrivers drivers,
  Capacity capacity,
  ExecutionMetrics metrics) {
}
