package io.tandem.balancing;

import static io.tandem.testing.TestBackends.weighted;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tandem.config.Algorithm;
import io.tandem.testing.TestBackend;
import io.tandem.testing.TestBackends;
import io.tandem.upstream.Backend;
import io.tandem.upstream.Balancers;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every algorithm promises: weights honoured elsewhere, here exclusion, empty and single-backend behaviour. */
class LoadBalancerContractTest {

  private static LoadBalancer<Backend> create(Algorithm algorithm, List<Backend> backends) {
    return Balancers.create(algorithm, backends, Balancers.LOCAL);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void excludedBackendIsNeverPicked(Algorithm algorithm) {
    List<Backend> backends = weighted(3, 1, 2);
    LoadBalancer<Backend> lb = create(algorithm, backends);
    Set<String> seen = new HashSet<>();
    for (int key = 0; key < 2000; key++) {
      PickContext ctx = PickContext.forKey("key-" + key);
      ctx.exclude(backends.get(0));
      Backend picked = lb.pick(ctx);
      assertNotNull(picked);
      assertNotEquals("b0", picked.id());
      seen.add(picked.id());
      ctx.exclude(picked);
      Backend third = lb.pick(ctx);
      assertNotNull(third);
      assertEquals(Set.of("b0", "b1", "b2"), Set.of("b0", picked.id(), third.id()));
    }
    assertEquals(Set.of("b1", "b2"), seen);
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void exclusionMatchesByIdAcrossSnapshots(Algorithm algorithm) {
    List<Backend> backends = weighted(1, 1);
    LoadBalancer<Backend> lb = create(algorithm, backends);
    for (int key = 0; key < 200; key++) {
      PickContext ctx = PickContext.forKey("key-" + key);
      ctx.exclude(TestBackend.of("b1", 1));
      assertEquals("b0", lb.pick(ctx).id());
    }
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void allExcludedGivesNull(Algorithm algorithm) {
    List<Backend> backends = weighted(5, 1, 1);
    LoadBalancer<Backend> lb = create(algorithm, backends);
    for (int key = 0; key < 50; key++) {
      PickContext ctx = PickContext.forKey("key-" + key);
      backends.forEach(ctx::exclude);
      assertNull(lb.pick(ctx));
    }
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void emptyListGivesNull(Algorithm algorithm) {
    LoadBalancer<Backend> lb = create(algorithm, List.of());
    assertNull(lb.pick(PickContext.create()));
    assertNull(lb.pick(PickContext.forKey("k")));
    assertEquals(List.of(), lb.backends());
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void singleBackendTakesEverythingUntilExcluded(Algorithm algorithm) {
    List<Backend> backends = weighted(7);
    LoadBalancer<Backend> lb = create(algorithm, backends);
    for (int key = 0; key < 100; key++) {
      assertEquals("b0", lb.pick(PickContext.forKey("key-" + key)).id());
    }
    PickContext ctx = PickContext.forKey("k");
    ctx.exclude(backends.get(0));
    assertNull(lb.pick(ctx));
  }

  @ParameterizedTest
  @EnumSource(Algorithm.class)
  void backendsAreTheCandidatesInOrderAndUnmodifiable(Algorithm algorithm) {
    List<Backend> backends = weighted(2, 1, 3);
    LoadBalancer<Backend> lb = create(algorithm, backends);
    assertEquals(backends, lb.backends());
    assertThrows(UnsupportedOperationException.class, () -> lb.backends().clear());
  }
}
