package io.tandem.testing;

import io.tandem.balancing.LoadBalancer;
import io.tandem.balancing.PickContext;
import io.tandem.upstream.Backend;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Fixtures for the algorithm tests: backends named b0, b1, ... and pick counting. */
public final class TestBackends {
  private TestBackends() {}

  public static List<Backend> weighted(int... weights) {
    List<Backend> list = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      list.add(TestBackend.of("b" + i, weights[i]));
    }
    return list;
  }

  public static List<Backend> equal(int count) {
    int[] weights = new int[count];
    Arrays.fill(weights, 1);
    return weighted(weights);
  }

  /** How many of {@code picks} fresh-context picks went to each backend id. */
  public static Map<String, Integer> count(LoadBalancer<Backend> lb, int picks) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < picks; i++) {
      counts.merge(lb.pick(PickContext.create()).id(), 1, Integer::sum);
    }
    return counts;
  }
}
