package io.tandem.limits;

import io.tandem.cluster.ClientConnectionCounts;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open client connections per listener and client address on this node, checked against
 * {@code max-connections-per-client} together with the other nodes' published counts. Lock-free; an entry is removed
 * when its count returns to zero, so memory follows the open connections.
 *
 * <p>Bound: the other nodes' counts are as of their last publication (100 ms), so in a burst a client may get up to
 * (N - 1) x limit extra connections for that long; paced opens are held to the limit.
 */
public final class ClientConnections {
  private final ClientConnectionCounts others;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

  public ClientConnections(ClientConnectionCounts others) {
    this.others = others;
  }

  /** Counts a new connection of {@code client} on {@code listener}; false (and nothing counted) when at the limit. */
  public boolean tryOpen(String listener, String client, int max) {
    String key = listener + '/' + client;
    int elsewhere = others.others(key);
    while (true) {
      AtomicInteger n = open.computeIfAbsent(key, k -> new AtomicInteger());
      int now = n.get();
      if (now < 0) {
        continue;   // being removed: take a fresh counter
      }
      if (now + elsewhere >= max) {
        return false;
      }
      if (n.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** A connection counted by {@link #tryOpen} closed. */
  public void close(String listener, String client) {
    String key = listener + '/' + client;
    AtomicInteger n = open.get(key);
    if (n != null && n.decrementAndGet() == 0 && n.compareAndSet(0, -1)) {
      open.remove(key, n);
    }
  }

  /** This node's counts by {@code listener/address}, for publication. */
  public Map<String, Integer> counts() {
    Map<String, Integer> out = new HashMap<>();
    open.forEach((k, v) -> {
      int n = v.get();
      if (n > 0) {
        out.put(k, n);
      }
    });
    return out;
  }

  /** Open connections of one client on one listener on this node. */
  public int open(String listener, String client) {
    AtomicInteger n = open.get(listener + '/' + client);
    return n == null ? 0 : Math.max(0, n.get());
  }
  /**
   * The {@code limit} clients with the most open connections on {@code listener} on this node, most first
   * (control plane: walks every tracked client).
   */
  public Map<String, Integer> top(String listener, int limit) {
    String prefix = listener + '/';
    Map<String, Integer> top = new java.util.LinkedHashMap<>();
    open.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getValue().get() > 0)
        .sorted(java.util.Comparator.comparingInt((Map.Entry<String, AtomicInteger> e) -> -e.getValue().get())
            .thenComparing(Map.Entry::getKey))
        .limit(limit).forEach(e -> top.put(e.getKey().substring(prefix.length()), e.getValue().get()));
    return top;
  }
}
