package io.fleetjobs.alerts.rules;

/** Azure's dimension filter operators: keep only the listed values, or keep all but them. */
public enum DimensionOperator {
  Include,
  Exclude
}
