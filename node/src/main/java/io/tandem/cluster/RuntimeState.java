package io.tandem.cluster;

import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * Operators' runtime changes to backends (drain, disable, enable, weight, add, remove), made on any node and applied
 * on every node.
 * Each change carries a cluster-wide version; the cluster implementation also saves the whole set to a local state
 * file so that a restart of every node keeps it.
 *
 * <pre>{@code
 * runtime.apply(BackendChange.state("web", "b1", AdminState.DRAINING))
 *        .thenAccept(version -> log.info("drain of web/b1 is version {}", version));
 * runtime.addListener(changes -> registry.requestRebuild());   // on every node
 * }</pre>
 */
public interface RuntimeState {

  /** Stores a change cluster-wide; completes with its version once stored (every node sees it soon after). */
  CompletionStage<Long> apply(BackendChange change);

  /** The changes in force, by {@link BackendChange#key()}, from local memory. */
  Map<String, BackendChange> current();

  /**
   * The highest version this node has taken in. Implementations update {@link #current()} before this, so a reader
   * that reads {@code version()} first and {@code current()} second holds changes at least that new.
   */
  long version();

  /** Called on a control-plane thread with the changes in force after any change, local or remote. */
  void addListener(Consumer<Map<String, BackendChange>> listener);
}
