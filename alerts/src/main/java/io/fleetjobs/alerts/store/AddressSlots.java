package io.fleetjobs.alerts.store;

import java.util.Map;

/**
 * How many more attempts a claim may start per receiver address: {@code perAddress} for an address with none
 * in flight, less what it has in flight already.
 *
 * @param inFlight attempts in flight by address; addresses with none may be left out
 */
public record AddressSlots(int perAddress, Map<String, Integer> inFlight) {
  public AddressSlots {
    inFlight = Map.copyOf(inFlight);
  }

  /** No cap beyond the claim's own limit: a test send claims its own few rows. */
  public static AddressSlots unlimited(int max) {
    return new AddressSlots(max, Map.of());
  }
}
