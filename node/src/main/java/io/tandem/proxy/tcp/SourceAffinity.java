package io.tandem.proxy.tcp;

import io.tandem.affinity.AffinityTable;
import io.tandem.proxy.BackendAttempt;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Source-address persistence of one TCP connection through the shared {@link AffinityTable} (the same table and keys
 * as HTTP's {@code source-address} persistence, so a client keeps its backend across both). Confined to the
 * connection's event loop, except {@link #remote()}'s completion, which the caller hops back from.
 */
final class SourceAffinity implements BackendAttempt.Affinity {
  /** Longest wait for the shared table on a local miss; past it the connection gets a fresh choice. */
  static final long SHARED_WAIT_MILLIS = 500;

  private final AffinityTable table;
  private final PoolSnapshot pool;
  private final String key;
  private final Duration idleTimeout;
  private String keyBoundTo;
  private String boundId;

  SourceAffinity(PoolSnapshot pool, AffinityTable table, String clientIp) {
    this.pool = pool;
    this.table = table;
    this.key = clientIp;
    Duration idle = pool.config().persistence().idleTimeout();
    this.idleTimeout = idle != null ? idle : Duration.ofMinutes(30);
  }

  /** The bound backend from local memory, or null ({@link #needsRemote()} then says whether to ask the table). */
  @Override
  public Backend local() {
    keyBoundTo = table.lookup(pool.name(), key);
    return keyBoundTo == null ? null : usable(keyBoundTo);
  }

  @Override
  public boolean needsRemote() {
    return keyBoundTo == null;
  }

  /** Asks the shared table; completes with the bound backend or null, never blocks. */
  @Override
  public CompletionStage<Backend> remote() {
    return table.fetch(pool.name(), key).toCompletableFuture()
        .completeOnTimeout(null, SHARED_WAIT_MILLIS, TimeUnit.MILLISECONDS)
        .thenApply(id -> {
          keyBoundTo = id;
          return id == null ? null : usable(id);
        });
  }

  private Backend usable(String id) {
    Backend b = pool.byId().get(id);
    if (b != null && b.acceptsBound()) {
      boundId = b.id();
      return b;
    }
    return null;
  }

  /** The backend a waiting connection must get (its binding's), or null for any. */
  @Override
  public String requiredBackendId() {
    return boundId;
  }

  /** The bound backend could not be reached: go anywhere, and the binding follows. */
  @Override
  public void unbind() {
    boundId = null;
  }

  /** Records the connection's backend in the table (first binding wins cluster-wide; a moved one is rebound). */
  void record(Backend chosen) {
    if (chosen.id().equals(keyBoundTo)) {
      return;
    }
    if (keyBoundTo == null) {
      table.bindIfAbsent(pool.name(), key, chosen.id(), idleTimeout);
    } else {
      table.rebind(pool.name(), key, chosen.id(), idleTimeout);
    }
  }
}
