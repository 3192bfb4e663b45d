package io.fleetjobs.alerts.rules;

import java.util.List;

/**
 * One entry of a criterion's {@code dimensions}. As in Azure, naming a dimension splits the rule by it:
 * every value that passes the filter is its own alert instance. {@code "*"} with Include passes all.
 */
public record DimensionFilter(Dimension name, DimensionOperator operator, List<String> values) {
  public static final String ALL = "*";

  public DimensionFilter {
    values = List.copyOf(values);
  }

  public boolean accepts(String value) {
    boolean listed = values.stream().anyMatch(v -> v.equals(ALL) || v.equalsIgnoreCase(value));
    return operator == DimensionOperator.Include ? listed : !listed;
  }
}
