package io.fleetjobs.server.jobs.claims;

/**
 * Who this agent is in the job database's leases, and how long a lease it takes. {@code agentId} is unique
 * per process, so a lease outlives neither the process nor a restart.
 */
public record Claimant(String agentId, int leaseSeconds) {
}
