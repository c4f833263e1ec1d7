package io.tandem.balancing;

import static io.tandem.testing.TestBackends.weighted;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.testing.TestBackends;
import io.tandem.upstream.Backend;
import io.tandem.upstream.Balancers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastConnectionsBalancerTest {

  private static LoadView fixed(Map<String, Integer> active) {
    return b -> active.get(b.id());
  }

  private static String pick(LoadBalancer<Backend> lb) {
    return lb.pick(PickContext.create()).id();
  }

  @Test
  void picksFewestConnections() {
    LoadBalancer<Backend> lb = LoadBalancer.leastConnections(weighted(1, 1, 1), fixed(Map.of("b0", 5, "b1", 2, "b2", 9)));
    for (int i = 0; i < 10; i++) {
      assertEquals("b1", pick(lb));
    }
  }

  @Test
  void comparesConnectionsPerUnitOfWeight() {
    // 9/3 = 3 per weight beats 4/1 and 7/2 = 3.5.
    LoadBalancer<Backend> lb = LoadBalancer.leastConnections(weighted(1, 3, 2), fixed(Map.of("b0", 4, "b1", 9, "b2", 7)));
    for (int i = 0; i < 10; i++) {
      assertEquals("b1", pick(lb));
    }
  }

  @Test
  void tiesRotate() {
    // b0 and b2 tie at 2 per weight; b1 is busier.
    LoadBalancer<Backend> lb = LoadBalancer.leastConnections(weighted(1, 1, 2), fixed(Map.of("b0", 2, "b1", 3, "b2", 4)));
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      picks.add(pick(lb));
    }
    assertEquals(List.of("b0", "b2", "b2", "b0", "b2", "b2"), picks);
  }

  @Test
  void idlePoolSharesTrafficEqually() {
    LoadBalancer<Backend> lb = LoadBalancer.leastConnections(TestBackends.equal(4), b -> 0);
    assertEquals(Map.of("b0", 250, "b1", 250, "b2", 250, "b3", 250), TestBackends.count(lb, 1000));
  }

  @Test
  void followsLiveLoad() {
    List<Backend> backends = weighted(1, 1);
    LoadBalancer<Backend> lb = LoadBalancer.leastConnections(backends, Balancers.LOCAL);
    backends.get(0).stats().tryAcquire(0, 0);
    assertEquals("b1", pick(lb));
    backends.get(1).stats().tryAcquire(0, 0);
    backends.get(1).stats().tryAcquire(0, 0);
    assertEquals("b0", pick(lb));
  }

  @Test
  void excludedLeastLoadedFallsToNextBest() {
    List<Backend> backends = weighted(1, 1, 1);
    LoadBalancer<Backend> lb = LoadBalancer.leastConnections(backends, fixed(Map.of("b0", 5, "b1", 2, "b2", 3)));
    PickContext ctx = PickContext.create();
    ctx.exclude(backends.get(1));
    assertEquals("b2", lb.pick(ctx).id());
  }
}
