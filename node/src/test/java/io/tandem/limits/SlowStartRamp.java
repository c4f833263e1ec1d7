package io.tandem.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.ManualClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The slow-start curve of a backend b2 that joins b1 in a round-robin pool, checked on manual time: a batch of
 * {@link #REQUESTS} requests per node at the start of the window, halfway through and once it is over.
 *
 * <ul>
 *   <li>At the start b2's share is 0: every pick of it is passed over (b1 can take the request), so b2 gets none.
 *   <li>Halfway its share is 0.5: each pick of it is kept with probability 0.5. Round robin offers b2 again on the
 *       request after a hold-back (its counter moved on twice), so b2 gets s / (1 + s) = 1/3 of the requests on
 *       average, not s / 2: two thirds of its final share. Over 400 requests the standard deviation is 0.014 (a
 *       simulation of the chain), so 0.2 to 0.45 is more than 8 deviations either way, and excludes both 0 and 0.5.
 *   <li>Once the window is over its share is 1: round robin alternates, b2 gets half of the requests (within 2, in
 *       case a snapshot rebuild restarted the counter).
 * </ul>
 */
final class SlowStartRamp {
  static final int REQUESTS = 400;

  /** Sends {@code requests} requests through one node; returns how many b2 answered. */
  @FunctionalInterface
  interface Batch {
    int answeredByB2(int requests) throws Exception;
  }

  private SlowStartRamp() {}

  /** A batch of GETs to {@code uri}, each answered 200 with the answering backend's id as the body. */
  static Batch through(HttpClient http, URI uri) {
    return requests -> {
      int b2 = 0;
      for (int i = 0; i < requests; i++) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        b2 += r.body().strip().equals("b2") ? 1 : 0;
      }
      return b2;
    };
  }

  /**
   * Checks the curve on every node: {@code shares.get(i)} is b2's share on node i now, {@code batches.get(i)} sends
   * through it. The warming must have started at the clock's current time on every node.
   */
  static void assertRamp(Duration window, ManualClock clock, List<DoubleSupplier> shares, List<Batch> batches)
      throws Exception {
    double[] expectedShare = {0, 0.5, 1};
    StringBuilder counts = new StringBuilder();
    for (int phase = 0; phase < expectedShare.length; phase++) {
      if (phase > 0) {
        clock.advance(window.dividedBy(2));
      }
      for (int node = 0; node < batches.size(); node++) {
        String where = "node " + (node + 1) + ", " + (phase * 50) + "% into the window: ";
        assertEquals(expectedShare[phase], shares.get(node).getAsDouble(), where + "b2's slow-start share");
        int b2 = batches.get(node).answeredByB2(REQUESTS);
        String got = where + "b2 answered " + b2 + " of " + REQUESTS;
        counts.append(node == 0 ? " | " : " ").append(b2);
        switch (phase) {
          case 0 -> assertEquals(0, b2, got);
          case 1 -> assertTrue(b2 > REQUESTS * 0.2 && b2 < REQUESTS * 0.45, got + " (1/3 expected)");
          default -> assertTrue(Math.abs(b2 - REQUESTS / 2) <= 2, got + " (half expected)");
        }
      }
    }
    System.out.println("slow start on a manual clock, b2's answers of " + REQUESTS + " per node at 0%, 50%, 100%"
        + counts + " (expected 0, ~133, 200)");
  }
}
