package io.fleetjobs.alerts.suppress;

import java.util.Optional;
import java.util.regex.Pattern;

/** The alert properties a processing-rule condition can test: a subset of Azure's condition fields. */
public enum ConditionField {
  AlertRuleName,
  Severity,
  MonitorCondition,
  Description;

  private static final Pattern SEVERITY = Pattern.compile("sev[0-4]", Pattern.CASE_INSENSITIVE);

  String read(AlertFacts facts) {
    return switch (this) {
      case AlertRuleName -> facts.alertRuleName();
      // Rules name severities as Azure does, while alerts carry them as numbers.
      case Severity -> "Sev" + facts.severity();
      case MonitorCondition -> facts.monitorCondition();
      case Description -> facts.description();
    };
  }

  /** Why {@code value} can never match this field: a typo is refused rather than left to silently match nothing. */
  Optional<String> refusal(String value) {
    return switch (this) {
      case Severity -> SEVERITY.matcher(value).matches()
        ? Optional.empty()
        : Optional.of("Severity values are Sev0 to Sev4");
      case MonitorCondition -> value.equalsIgnoreCase("Fired") || value.equalsIgnoreCase("Resolved")
        ? Optional.empty()
        : Optional.of("MonitorCondition values are Fired or Resolved");
      case AlertRuleName, Description -> Optional.empty();
    };
  }
}
