package io.fleetjobs.alerts.store;

/** An attempt at a claimed row that has been made and is to be recorded, fenced by the row's claim. */
public record FinishedAttempt(ClaimedNotification row, AttemptRecord attempt) {
}
