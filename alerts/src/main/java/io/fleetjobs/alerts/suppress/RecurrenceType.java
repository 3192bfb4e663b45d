package io.fleetjobs.alerts.suppress;

/** How a schedule window repeats. Azure also has Monthly; it is refused when a rule is parsed. */
public enum RecurrenceType {
  Daily,
  Weekly
}
