package io.tandem.cluster;

import java.util.Map;
import java.util.function.Consumer;

/**
 * How the nodes tell each other what they admitted, so that a limit configured for the cluster holds for the cluster
 * (N nodes admit about the configured rate in total, not N times it). Each node publishes, every few milliseconds,
 * the counts it admitted since its previous publication ({@code rule/key -> count}); every other node debits those
 * counts from its own local buckets. Nothing here is on the request path: publication is fire-and-forget and
 * deliveries arrive on a cluster thread.
 *
 * <p>Example: node n1 admitted 7 requests of client 10.0.0.9 under rule {@code api}; it publishes
 * {@code {"api\u0000 10.0.0.9": 7}} and n2, n3 each take 7 tokens out of their bucket for that client.
 *
 * <p>Delivery is best effort (a node that joins misses what was published before): a lost delivery only lets the
 * cluster admit that many more, never fewer.
 */
public interface UsageExchange {

  /** A single node: nobody to tell. */
  UsageExchange NONE = new UsageExchange() {
    @Override
    public void publish(Map<String, Long> admitted) {}

    @Override
    public void onOthers(Consumer<Map<String, Long>> consumer) {}

    @Override
    public int nodes() {
      return 1;
    }
  };

  /** Sends this node's admissions since its previous call to the other nodes; never blocks. */
  void publish(Map<String, Long> admitted);

  /**
   * Registers the receiver of the other nodes' publications. It runs on a cluster thread (never an event loop) and
   * must not block.
   */
  void onOthers(Consumer<Map<String, Long>> consumer);

  /** Live trusted nodes, this one included (1 alone). */
  int nodes();
}
