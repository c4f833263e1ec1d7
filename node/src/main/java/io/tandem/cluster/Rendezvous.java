package io.tandem.cluster;

import io.tandem.util.Hashing;
import java.util.List;

/**
 * Highest-random-weight (rendezvous) hashing: the owner of a key is the node whose hash mixed with the key's is the
 * largest. Every node computes the same owner from the same live list, and when a node leaves only the keys it owned
 * move (each to the node that was second for it). Used to pick the one node that actively checks each backend.
 *
 * <pre>{@code
 * String checker = Rendezvous.owner("web/b1", List.of("n1", "n2", "n3"));   // e.g. "n2", on every node
 * }</pre>
 */
public final class Rendezvous {
  private Rendezvous() {}

  /** The owner of {@code key} among {@code nodeIds} (order does not matter), or null when the list is empty. */
  public static String owner(String key, List<String> nodeIds) {
    long keyHash = Hashing.hash(key);
    String best = null;
    long bestWeight = 0;
    for (String node : nodeIds) {
      long weight = Hashing.mix(keyHash ^ Hashing.hash(node));
      if (best == null || Long.compareUnsigned(weight, bestWeight) > 0
          || (weight == bestWeight && node.compareTo(best) < 0)) {
        best = node;
        bestWeight = weight;
      }
    }
    return best;
  }
}
