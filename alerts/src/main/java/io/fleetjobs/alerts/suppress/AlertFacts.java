package io.fleetjobs.alerts.suppress;

/**
 * What the conditions of a processing rule look at in one alert. {@code severity} is 0 (critical) to 4 (verbose)
 * as in Azure, and conditions name it Sev0 to Sev4; {@code monitorCondition} is Fired or Resolved. A null text is
 * compared as empty, so it matches no Equals or Contains and every NotEquals or DoesNotContain.
 */
public record AlertFacts(String alertRuleName, int severity, String monitorCondition, String description) {
}
