package io.tandem.affinity;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * One affinity key of one request or connection, as the data path sees it: what local memory says it is bound to,
 * the asynchronous look-up in the shared table after a local miss (bounded by {@link #SHARED_WAIT_MILLIS}), and the
 * binding to record once a backend is chosen. HTTP's session persistence (a learned cookie or the client address)
 * and TCP's source-address persistence both use it, so a client keeps its backend across both.
 *
 * <pre>{@code
 * KeyBinding k = new KeyBinding(table, "web", clientIp, idle);
 * String id = k.lookUpLocally();                   // null: unknown here
 * if (k.needsRemote()) k.lookUpRemotely().thenAccept(remoteId -> ...);
 * k.record(chosen.id());                           // first binding wins cluster-wide; a moved key is rebound
 * new KeyBinding(table, "web", learned, idle).bindAndWait(chosen.id());   // stored before the answer goes out
 * }</pre>
 *
 * <p>Confined to the caller's event loop, except the completion of {@link #lookUpRemotely()}, which the caller hops
 * back from.
 */
public final class KeyBinding {
  /**
   * The longest the data path waits for the shared table (a look-up after a local miss, a binding that must be stored
   * before a response is released). A healthy cluster answers in milliseconds; a partitioned one could take
   * Hazelcast's invocation timeout (60 s), so past this the request or connection goes on without the table.
   */
  public static final long SHARED_WAIT_MILLIS = 500;
  private static final Duration DEFAULT_IDLE = Duration.ofMinutes(30);

  private final AffinityTable table;
  private final String pool;
  private final String key;
  private final Duration idleTimeout;
  private String boundTo;

  /**
   * @param idleTimeout how long an unused binding lives; null takes the default (30 minutes)
   */
  public KeyBinding(AffinityTable table, String pool, String key, Duration idleTimeout) {
    this.table = table;
    this.pool = pool;
    this.key = key;
    this.idleTimeout = idleTimeout != null ? idleTimeout : DEFAULT_IDLE;
  }

  public String key() {
    return key;
  }

  /** The backend id the key is bound to in local memory, or null. */
  public String lookUpLocally() {
    boundTo = table.lookup(pool, key);
    return boundTo;
  }

  /** Whether local memory did not know the key, so the shared table must be asked. */
  public boolean needsRemote() {
    return boundTo == null;
  }

  /** Asks the shared table; completes with the bound backend id, or null when unbound or past the wait. */
  public CompletionStage<String> lookUpRemotely() {
    return withinSharedWait(table.fetch(pool, key)).thenApply(id -> {
      boundTo = id;
      return id;
    });
  }

  /** Records that the key's traffic went to {@code backendId}: binds it if unbound, rebinds it if it moved. */
  public void record(String backendId) {
    if (backendId.equals(boundTo)) {
      return;
    }
    if (boundTo == null) {
      table.bindIfAbsent(pool, key, backendId, idleTimeout);
    } else {
      // The key's backend was unavailable; the key now lives on the chosen one.
      table.rebind(pool, key, backendId, idleTimeout);
    }
  }

  /**
   * Binds the key to {@code backendId} unless it is bound already (the first binding wins cluster-wide), and completes
   * once the shared table has stored it, or after {@link #SHARED_WAIT_MILLIS}: for a binding the client's next request
   * must find on any node, such as a cookie the backend has just set. Never blocks.
   */
  public CompletionStage<Void> bindAndWait(String backendId) {
    return withinSharedWait(table.bindIfAbsent(pool, key, backendId, idleTimeout).<Void>thenApply(winner -> null));
  }

  /** {@code stage}, or null once {@link #SHARED_WAIT_MILLIS} have passed without an answer. Never blocks. */
  public static <T> CompletableFuture<T> withinSharedWait(CompletionStage<T> stage) {
    return stage.toCompletableFuture().copy().completeOnTimeout(null, SHARED_WAIT_MILLIS, TimeUnit.MILLISECONDS);
  }
}
