package io.fleetjobs.alerts.suppress;

import java.time.Instant;

/**
 * A stretch of time from {@code start} inclusive to {@code end} exclusive. It can be empty (end not after start)
 * when a start time falls in a daylight-saving gap and is moved forward past its end.
 */
record Window(Instant start, Instant end) {

  boolean contains(Instant at) {
    return !at.isBefore(start) && at.isBefore(end);
  }

  Window within(Instant from, Instant until) {
    return new Window(start.isBefore(from) ? from : start, end.isAfter(until) ? until : end);
  }
}
