package io.fleetjobs.alerts.rules;

import java.time.Instant;
import java.util.UUID;

/**
 * A fired alert instance as stored. {@code clearSince} is when its condition was first seen clear in
 * the current clear stretch; null while it still breaches.
 */
public record OpenAlert(UUID alertId, InstanceKey key, Instant firedAt, Instant clearSince, int sequence) {
}
