package io.tandem.admin.metrics;

import io.tandem.util.Outcome;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * Counts per outcome as plain numbers for the admin API's JSON.
 *
 * @param byOutcome every outcome's label ({@link Outcome#label()}) to its count, in the enum's order, zeros included
 * @param total     the sum of all of them
 * @param errors    all but {@code ok} and {@code upgraded}
 */
public record OutcomeFigures(Map<String, Long> byOutcome, long total, long errors) {

  static OutcomeFigures of(ToLongFunction<Outcome> counts) {
    Map<String, Long> by = new LinkedHashMap<>();
    long total = 0;
    long good = 0;
    for (Outcome o : Outcome.values()) {
      long n = counts.applyAsLong(o);
      by.put(o.label(), n);
      total += n;
      if (o == Outcome.OK || o == Outcome.UPGRADED) {
        good += n;
      }
    }
    return new OutcomeFigures(Collections.unmodifiableMap(by), total, total - good);
  }
}
