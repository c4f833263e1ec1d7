package io.tandem.balancing;

import static io.tandem.testing.TestBackends.weighted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.TestBackends;
import io.tandem.upstream.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class RoundRobinBalancerTest {

  @Test
  void distributionFollowsWeightsExactly() {
    LoadBalancer<Backend> lb = LoadBalancer.roundRobin(weighted(3, 1));
    assertEquals(Map.of("b0", 3000, "b1", 1000), TestBackends.count(lb, 4000));
  }

  @Test
  void weightsFiveOneOneGiveNginxSequence() {
    LoadBalancer<Backend> lb = LoadBalancer.roundRobin(weighted(5, 1, 1));
    StringBuilder picked = new StringBuilder();
    for (int i = 0; i < 14; i++) {
      picked.append((char) ('a' + lb.pick(PickContext.create()).id().charAt(1) - '0'));
    }
    assertEquals("aabacaaaabacaa", picked.toString());
  }

  @Test
  void sequenceIsSmooth() {
    int[] weights = {5, 1, 1, 2};
    LoadBalancer<Backend> lb = LoadBalancer.roundRobin(weighted(weights));
    int period = 9;
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < period * 20; i++) {
      picks.add(lb.pick(PickContext.create()).id());
    }
    for (int i = 1; i < picks.size(); i++) {
      boolean light = picks.get(i).equals("b1") || picks.get(i).equals("b2");
      assertTrue(!light || !picks.get(i).equals(picks.get(i - 1)), "weight-1 backend twice in a row at " + i);
    }
    // In any window of w picks, backend i appears at most ceil(w * weight / period) + 1 times.
    for (int window = 2; window <= period; window++) {
      for (int from = 0; from + window <= picks.size(); from++) {
        long heavy = picks.subList(from, from + window).stream().filter("b0"::equals).count();
        assertTrue(heavy <= (window * 5 + period - 1) / period + 1, "b0 too often in window " + from + "+" + window);
      }
    }
  }

  @Test
  void weightsAreNormalizedByTheirGcd() {
    RoundRobinBalancer lb = new RoundRobinBalancer(weighted(200, 100, 100));
    assertArrayEquals(new int[] {0, 1, 2, 0}, lb.sequence());
  }

  @Test
  void hugeWeightSumsAreScaledDownAndKeepEveryBackend() {
    int[] weights = new int[400];
    for (int i = 0; i < weights.length; i++) {
      weights[i] = i == 0 ? 1 : 256 - (i % 7);
    }
    RoundRobinBalancer lb = new RoundRobinBalancer(weighted(weights));
    int[] sequence = lb.sequence();
    assertTrue(sequence.length <= RoundRobinBalancer.MAX_SEQUENCE + weights.length, "length " + sequence.length);
    boolean[] present = new boolean[weights.length];
    for (int i : sequence) {
      present[i] = true;
    }
    for (int i = 0; i < present.length; i++) {
      assertTrue(present[i], "backend " + i + " missing");
    }
  }

  @Test
  void excludedBackendIsSkippedByWalkingForward() {
    List<Backend> backends = weighted(5, 1, 1);
    LoadBalancer<Backend> lb = LoadBalancer.roundRobin(backends);
    List<String> picks = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      PickContext ctx = PickContext.create();
      ctx.exclude(backends.get(0));
      picks.add(lb.pick(ctx).id());
    }
    // Sequence a a b a c a a: a's slots resolve to the next b or c (wrapping), the b and c slots to themselves.
    assertEquals(List.of("b1", "b1", "b1", "b2", "b2", "b1", "b1"), picks);
  }

  @Test
  void concurrentPicksKeepExactCounts() throws Exception {
    List<Backend> backends = weighted(3, 1);
    LoadBalancer<Backend> lb = LoadBalancer.roundRobin(backends);
    AtomicLongArray counts = new AtomicLongArray(backends.size());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          long[] local = new long[backends.size()];
          for (int i = 0; i < 100_000; i++) {
            local[backends.indexOf(lb.pick(PickContext.create()))]++;
          }
          for (int i = 0; i < local.length; i++) {
            counts.addAndGet(i, local[i]);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(300_000, counts.get(0));
    assertEquals(100_000, counts.get(1));
  }
}
