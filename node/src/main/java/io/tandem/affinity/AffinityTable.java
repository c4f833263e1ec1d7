package io.tandem.affinity;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Session affinity: affinity key (client address, learned cookie value, ...) to backend id, per pool, with idle
 * expiry. The cluster implementation keeps the truth in a partitioned map and a local read cache on every node;
 * {@link #lookup} reads only local memory so it is safe on the data path.
 *
 * <pre>{@code
 * String id = table.lookup("web", clientIp);           // local, non-blocking; null when unknown
 * if (id == null) {
 *   table.bindIfAbsent("web", clientIp, picked.id(), idle)  // first binding wins cluster-wide
 *        .thenAccept(winner -> ...);
 * }
 * }</pre>
 */
public interface AffinityTable {

  /** The backend id bound to {@code key} in {@code pool}, from local memory, or null. Refreshes its idle timer. */
  String lookup(String pool, String key);

  /**
   * Binds {@code key} to {@code backendId} unless it is bound already; completes with the binding that holds
   * afterwards (ours, or the one another node made first). Never blocks the caller.
   */
  CompletionStage<String> bindIfAbsent(String pool, String key, String backendId, Duration idleTimeout);

  /** Replaces a binding (its backend went away); completes when done. */
  CompletionStage<Void> rebind(String pool, String key, String backendId, Duration idleTimeout);

  /**
   * Looks {@code key} up in the shared table after a local miss, without blocking; completes with the bound backend
   * id or null. A single node has no other place to look.
   */
  default CompletionStage<String> fetch(String pool, String key) {
    return java.util.concurrent.CompletableFuture.completedFuture(lookup(pool, key));
  }

  /** Number of live bindings of a pool, as this node knows them. */
  int size(String pool);

  /**
   * One binding as operators see it: the backend, when it was first made and when it expires if unused. Asynchronous
   * (may ask the owning member); empty when the key is not bound.
   */
  default CompletionStage<java.util.Optional<Binding>> binding(String pool, String key) {
    return fetch(pool, key).thenApply(id -> java.util.Optional.ofNullable(id).map(b -> new Binding(b, 0, 0)));
  }

  /**
   * @param backendId       the bound backend
   * @param sinceMillis     wall-clock time the binding was made (0 unknown)
   * @param lastUsedMillis  wall-clock time it was last read or refreshed (0 unknown)
   */
  record Binding(String backendId, long sinceMillis, long lastUsedMillis) {}
}
