package io.tandem.testing;

import io.tandem.util.Scheduler;
import io.tandem.vip.Heartbeat;
import io.tandem.vip.Heartbeats;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Heartbeats between simulated nodes in memory: a beat reaches every other attached node after {@code latency} on
 * the (manual) scheduler, unless their link is cut. Links can be cut one by one or a node isolated, and healed.
 */
public final class FakeNetwork {
  private final Scheduler scheduler;
  private final Duration latency;
  private final Map<String, Consumer<Heartbeat>> receivers = new ConcurrentHashMap<>();
  private final Set<Set<String>> cut = ConcurrentHashMap.newKeySet();

  public FakeNetwork(Scheduler scheduler, Duration latency) {
    this.scheduler = scheduler;
    this.latency = latency;
  }

  /** The heartbeat transport of node {@code nodeId}. */
  public Heartbeats endpoint(String nodeId) {
    return new Heartbeats() {
      @Override
      public Future<Void> open(Consumer<Heartbeat> receiver) {
        receivers.put(nodeId, receiver);
        return Future.succeededFuture();
      }

      @Override
      public void send(Heartbeat beat) {
        if (!receivers.containsKey(nodeId)) {
          return;
        }
        receivers.forEach((to, receiver) -> {
          if (!to.equals(nodeId) && connected(nodeId, to)) {
            scheduler.schedule(latency, () -> {
              if (receivers.get(to) == receiver && connected(nodeId, to)) {
                receiver.accept(beat);
              }
            });
          }
        });
      }

      @Override
      public Future<Void> close() {
        receivers.remove(nodeId);
        return Future.succeededFuture();
      }
    };
  }

  /** Detaches a node at once, as if its process died: it neither sends nor receives. */
  public void detach(String nodeId) {
    receivers.remove(nodeId);
  }

  /** Cuts every link between {@code node} and the others (its host's link went down). */
  public void isolate(String node, Set<String> others) {
    others.forEach(other -> cut.add(Set.of(node, other)));
  }

  public void heal() {
    cut.clear();
  }

  public boolean connected(String a, String b) {
    return !cut.contains(Set.of(a, b));
  }

  /** The nodes {@code node} can reach, itself included (for a simulated cluster quorum). */
  public Set<String> side(String node) {
    Set<String> side = new HashSet<>();
    receivers.keySet().forEach(other -> {
      if (other.equals(node) || connected(node, other)) {
        side.add(other);
      }
    });
    return side;
  }
}
