package io.tandem.balancing;

import static io.tandem.testing.TestBackends.equal;
import static io.tandem.testing.TestBackends.weighted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestBackend;
import io.tandem.testing.TestBackends;
import io.tandem.upstream.Backend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConsistentHashBalancerTest {
  private static final int KEYS = 100_000;

  /** The backend id each of the {@link #KEYS} keys maps to. */
  private static String[] assign(LoadBalancer<Backend> lb) {
    String[] owners = new String[KEYS];
    for (int k = 0; k < KEYS; k++) {
      owners[k] = lb.pick(PickContext.forKey("key-" + k)).id();
    }
    return owners;
  }

  /** The fraction of keys whose backend changed; each must have left {@code from} or gone to {@code to} if given. */
  private static double movedFraction(String[] before, String[] after, String from, String to) {
    int moved = 0;
    for (int k = 0; k < KEYS; k++) {
      if (!before[k].equals(after[k])) {
        moved++;
        assertTrue(from == null || from.equals(before[k]), "key-" + k + " moved but was on " + before[k]);
        assertTrue(to == null || to.equals(after[k]), "key-" + k + " moved to " + after[k]);
      }
    }
    return moved / (double) KEYS;
  }

  @Test
  void sameKeySameBackendAcrossInstancesAndOrders() {
    List<Backend> backends = equal(6);
    List<Backend> shuffled = new ArrayList<>(backends);
    Collections.reverse(shuffled);
    Collections.swap(shuffled, 1, 4);
    LoadBalancer<Backend> first = LoadBalancer.consistentHash(backends);
    LoadBalancer<Backend> second = LoadBalancer.consistentHash(backends);
    LoadBalancer<Backend> reordered = LoadBalancer.consistentHash(shuffled);
    for (int k = 0; k < 5_000; k++) {
      String key = "user-" + k;
      String owner = first.pick(PickContext.forKey(key)).id();
      assertEquals(owner, first.pick(PickContext.forKey(key)).id());
      assertEquals(owner, second.pick(PickContext.forKey(key)).id());
      assertEquals(owner, reordered.pick(PickContext.forKey(key)).id());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 10})
  void removingOneBackendMovesOnlyItsKeys(int n) {
    String[] before = assign(LoadBalancer.consistentHash(equal(n)));
    double worst = 0;
    double sum = 0;
    for (int removed = 0; removed < n; removed++) {
      List<Backend> rest = equal(n);
      String gone = rest.remove(removed).id();
      double fraction = movedFraction(before, assign(LoadBalancer.consistentHash(rest)), gone, null);
      assertTrue(fraction <= 1.3 / n, "removing " + gone + " moved " + fraction);
      worst = Math.max(worst, fraction);
      sum += fraction;
    }
    System.out.printf("consistent hash, N=%d, remove one: moved mean %.4f, worst %.4f (1/N = %.4f)%n",
        n, sum / n, worst, 1.0 / n);
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 10})
  void addingOneBackendMovesOnlyKeysToIt(int n) {
    String[] before = assign(LoadBalancer.consistentHash(equal(n)));
    String[] after = assign(LoadBalancer.consistentHash(equal(n + 1)));
    double fraction = movedFraction(before, after, null, "b" + n);
    System.out.printf("consistent hash, N=%d, add one: moved %.4f (1/(N+1) = %.4f)%n", n, fraction, 1.0 / (n + 1));
    assertTrue(fraction >= 0.7 / (n + 1) && fraction <= 1.3 / (n + 1), "adding moved " + fraction);
  }

  @ParameterizedTest
  @ValueSource(ints = {5, 10})
  void equalWeightsBalanceWithinTwentyPercent(int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (String owner : assign(LoadBalancer.consistentHash(equal(n)))) {
      counts.merge(owner, 1, Integer::sum);
    }
    double mean = KEYS / (double) n;
    assertEquals(n, counts.size());
    counts.forEach((id, c) -> assertTrue(Math.abs(c - mean) <= 0.2 * mean, id + " got " + c + ", mean " + mean));
    double worst = counts.values().stream().mapToDouble(c -> Math.abs(c - mean) / mean).max().orElse(0);
    System.out.printf("consistent hash, N=%d, equal weights: worst deviation from the mean %.3f%n", n, worst);
  }

  @Test
  void keysFollowWeights() {
    Map<String, Integer> counts = new HashMap<>();
    for (String owner : assign(LoadBalancer.consistentHash(weighted(3, 1)))) {
      counts.merge(owner, 1, Integer::sum);
    }
    double share = counts.get("b0") / (double) KEYS;
    assertTrue(share > 0.70 && share < 0.80, "weight 3 of 4 got " + share);
  }

  @Test
  void excludedBackendsKeysGoWhereTheyWouldIfItLeft() {
    List<Backend> backends = equal(5);
    LoadBalancer<Backend> full = LoadBalancer.consistentHash(backends);
    List<Backend> rest = new ArrayList<>(backends);
    rest.remove(2);
    LoadBalancer<Backend> without = LoadBalancer.consistentHash(rest);
    for (int k = 0; k < 20_000; k++) {
      PickContext ctx = PickContext.forKey("key-" + k);
      ctx.exclude(backends.get(2));
      assertEquals(without.pick(PickContext.forKey("key-" + k)).id(), full.pick(ctx).id());
    }
  }

  @Test
  void ringSizeIsProportionalToNormalizedWeightAndCapped() {
    assertEquals(3 * ConsistentHashBalancer.POINTS_PER_WEIGHT, new ConsistentHashBalancer(weighted(200, 100)).size());
    ConsistentHashBalancer big = new ConsistentHashBalancer(equal(300).stream()
        .map(b -> TestBackend.of(b.id(), 255 + Integer.parseInt(b.id().substring(1)) % 2)).toList());
    assertTrue(big.size() <= ConsistentHashBalancer.MAX_POINTS + 300, "ring of " + big.size());
    assertTrue(big.size() >= 300, "ring of " + big.size());
  }
}
