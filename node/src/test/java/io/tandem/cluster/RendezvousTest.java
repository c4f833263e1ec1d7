package io.tandem.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RendezvousTest {
  private static final List<String> NODES = List.of("n1", "n2", "n3", "n4");

  @Test
  void ownerDoesNotDependOnListOrder() {
    for (int i = 0; i < 1000; i++) {
      String key = "web/b" + i;
      assertEquals(Rendezvous.owner(key, NODES), Rendezvous.owner(key, List.of("n4", "n2", "n3", "n1")));
    }
  }

  @Test
  void removingANodeMovesOnlyTheKeysItOwned() {
    List<String> without = List.of("n1", "n2", "n4");
    int moved = 0;
    for (int i = 0; i < 10_000; i++) {
      String key = "pool/b" + i;
      String before = Rendezvous.owner(key, NODES);
      String after = Rendezvous.owner(key, without);
      if (before.equals("n3")) {
        moved++;
        assertTrue(without.contains(after));
      } else {
        assertEquals(before, after, key);
      }
    }
    assertTrue(moved > 0);
  }

  @Test
  void spreadIsEven() {
    Map<String, Integer> owned = new HashMap<>();
    int keys = 40_000;
    for (int i = 0; i < keys; i++) {
      owned.merge(Rendezvous.owner("web/backend-" + i, NODES), 1, Integer::sum);
    }
    assertEquals(NODES.size(), owned.size());
    // Each node should own a quarter; allow 5 % either side (the binomial deviation is under 1 %).
    for (int n : owned.values()) {
      assertTrue(Math.abs(n - keys / 4) < keys / 4 / 20, owned.toString());
    }
  }

  @Test
  void emptyListHasNoOwner() {
    assertNull(Rendezvous.owner("web/b1", List.of()));
    assertEquals("n7", Rendezvous.owner("web/b1", List.of("n7")));
  }
}
