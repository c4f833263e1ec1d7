package io.tandem.balancing;

import static io.tandem.testing.TestBackends.weighted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestBackends;
import io.tandem.upstream.Backend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomTwoChoicesBalancerTest {

  @Test
  void evenLoadFollowsWeights() {
    LoadBalancer<Backend> lb = LoadBalancer.randomTwoChoices(weighted(3, 1), b -> 0);
    int picks = 40_000;
    int heavy = TestBackends.count(lb, picks).get("b0");
    // Expected 30000, binomial sd ~87: 5% tolerance is over 10 sd.
    assertTrue(Math.abs(heavy - 30_000) < 1_500, "b0 got " + heavy);
  }

  @Test
  void lessLoadedOfTheTwoWins() {
    // With two backends the draws are always both of them, so the lighter one always wins.
    LoadBalancer<Backend> lb = LoadBalancer.randomTwoChoices(weighted(1, 1), b -> b.id().equals("b0") ? 10 : 3);
    assertEquals(Map.of("b1", 1000), TestBackends.count(lb, 1000));
  }

  @Test
  void loadIsPerUnitOfWeight() {
    // b0: 10/4 = 2.5 per weight beats b1: 3/1.
    LoadBalancer<Backend> lb = LoadBalancer.randomTwoChoices(weighted(4, 1), b -> b.id().equals("b0") ? 10 : 3);
    assertEquals(Map.of("b0", 1000), TestBackends.count(lb, 1000));
  }

  @Test
  void busiestBackendIsNeverPickedAmongMany() {
    // Two distinct draws: the single busiest backend loses every comparison.
    LoadBalancer<Backend> lb = LoadBalancer.randomTwoChoices(TestBackends.equal(5), b -> b.id().equals("b3") ? 100 : 1);
    Map<String, Integer> counts = TestBackends.count(lb, 5000);
    assertNull(counts.get("b3"));
    assertEquals(4, counts.size());
  }

  @Test
  void drawsHittingExcludedBackendsFallBackToTheRest() {
    List<Backend> backends = weighted(100, 100, 1);
    LoadBalancer<Backend> lb = LoadBalancer.randomTwoChoices(backends, b -> 0);
    for (int i = 0; i < 500; i++) {
      PickContext ctx = PickContext.create();
      ctx.exclude(backends.get(0));
      ctx.exclude(backends.get(1));
      assertEquals("b2", lb.pick(ctx).id());
    }
  }
}
