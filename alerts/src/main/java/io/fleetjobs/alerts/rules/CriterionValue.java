package io.fleetjobs.alerts.rules;

/** What one criterion measured for one alert instance, and whether that breaches its threshold. */
public record CriterionValue(Criterion criterion, double value, boolean breached) {
}
