package io.fleetjobs.server.jobs.executions;

import io.fleetjobs.common.errors.InvalidInput;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Where a page of a target list ended: the sort keys of its last row, handed out as an opaque continuation
 * ({@code $skipToken}, as Azure's list APIs page). The next page starts right after that row in the index of its
 * order, so it costs what the first page costs however deep it is, and a target that finishes meanwhile neither
 * repeats nor skips a row of the others. The token is not a secret: a made-up one is a position in a list the
 * caller may read anyway, so it is checked for shape, not signed.
 *
 * @param keys the row's keys, as text, in the order of {@link TargetSort} (null only for a duration not started)
 */
public record TargetCursor(TargetSort sort, List<String> keys) {
  public static final String PARAMETER = "$skipToken";

  public String encode() {
    JsonObject json = new JsonObject().put("sort", sort.value()).put("after", new JsonArray(keys));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** @param sort the order of the request the token came with; a token of another order is refused */
  public static TargetCursor decode(String token, TargetSort sort) {
    JsonObject json;
    try {
      json = new JsonObject(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      throw invalid("is not a token this list handed out; use the nextSkipToken of the previous page.");
    }
    if (!sort.value().equals(json.getValue("sort"))) {
      throw invalid("was made for sort=" + json.getValue("sort") + ", not sort=" + sort.value()
        + "; a token continues the order it came from.");
    }
    if (!(json.getValue("after") instanceof JsonArray after) || after.size() != sort.keyCount()) {
      throw invalid("is not a token this list handed out; use the nextSkipToken of the previous page.");
    }
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < after.size(); i++) {
      Object key = after.getValue(i);
      boolean nullable = i == 0 && sort == TargetSort.DURATION;
      if (!(key instanceof String) && !(key == null && nullable)) {
        throw invalid("is not a token this list handed out; use the nextSkipToken of the previous page.");
      }
      keys.add((String) key);
    }
    return new TargetCursor(sort, keys);
  }

  /** A key that the job database cannot read back (SQLSTATE class 22) means the token was made up. */
  static InvalidInput unreadable() {
    return invalid("holds a position that is no row of this list; use the nextSkipToken of the previous page.");
  }

  void addTo(Map<String, Object> params) {
    for (int i = 0; i < keys.size(); i++) {
      params.put("k" + i, keys.get(i));
    }
  }

  private static InvalidInput invalid(String why) {
    return new InvalidInput(PARAMETER, PARAMETER + " " + why);
  }
}
