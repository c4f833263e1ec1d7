package io.tandem.proxy.tcp;

import io.tandem.affinity.AffinityTable;
import io.tandem.affinity.KeyBinding;
import io.tandem.proxy.BackendAttempt;
import io.tandem.upstream.Backend;
import io.tandem.upstream.PoolSnapshot;
import java.util.concurrent.CompletionStage;

/**
 * Source-address persistence of one TCP connection through the shared {@link AffinityTable} (the same table and keys
 * as HTTP's {@code source-address} persistence, so a client keeps its backend across both). Confined to the
 * connection's event loop, except {@link #remote()}'s completion, which the caller hops back from.
 */
final class SourceAffinity implements BackendAttempt.Affinity {
  private final PoolSnapshot pool;
  private final KeyBinding binding;
  private String boundId;

  SourceAffinity(PoolSnapshot pool, AffinityTable table, String clientIp) {
    this.pool = pool;
    this.binding = new KeyBinding(table, pool.name(), clientIp, pool.config().persistence().idleTimeout());
  }

  /** The bound backend from local memory, or null ({@link #needsRemote()} then says whether to ask the table). */
  @Override
  public Backend local() {
    return usable(binding.lookUpLocally());
  }

  @Override
  public boolean needsRemote() {
    return binding.needsRemote();
  }

  /** Asks the shared table; completes with the bound backend or null, never blocks. */
  @Override
  public CompletionStage<Backend> remote() {
    return binding.lookUpRemotely().thenApply(this::usable);
  }

  private Backend usable(String id) {
    Backend b = id == null ? null : pool.byId().get(id);
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
    binding.record(chosen.id());
  }
}
