package io.tandem.cluster.hazelcast;

import io.tandem.cluster.BackendChange;
import io.tandem.cluster.RuntimeState;
import io.tandem.cluster.StateFile;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.hazelcast.config.Config;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MergePolicyConfig;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryMergedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link RuntimeState} kept as ONE entry of the map {@value #MAP}: the whole set of changes and its version as JSON.
 * Every {@link #apply} runs an entry processor on that entry, which adds one to the version, merges the change and
 * stores the result (with 2 synchronous backups) in one atomic step on the partition owner. That gives strictly
 * increasing versions without the CP subsystem (Enterprise-only), and the set is small (one entry per changed
 * backend). A listener on the entry brings every change to every node, which applies states with a higher version
 * only and saves each one to its {@link StateFile}.
 *
 * <p>Start-up: {@link #current()} first holds the state file. Then the node offers its file to the cluster: an absent
 * entry (whole-cluster restart) takes it, and so does an entry that itself only came from a file with a lower version
 * (several nodes restarting at once: the highest version wins); once any change was applied in the running cluster,
 * the cluster's state wins and the joining node takes it, lower version or not. If the entry was lost while nodes ran
 * (both replicas died), the next apply starts from the applying node's copy, so versions keep rising.
 */
public final class HazelcastRuntimeState implements RuntimeState, AutoCloseable {
  static final String MAP = "tandem-runtime";
  static final String KEY = "state";
  /** Prefix of an {@link Apply} answer that refused the change (never the start of JSON). */
  private static final String CONFLICT = "conflict:";

  private final IMap<String, String> map;
  private final String nodeId;
  private final StateFile file;
  private final Executor control;
  private final List<Consumer<Map<String, BackendChange>>> listeners = new CopyOnWriteArrayList<>();
  private final UUID listener;
  private final CompletableFuture<Void> ready;
  private volatile StateFile.State state;
  private boolean synced;   // a state from the cluster was taken; guarded by this

  /** Sets up the runtime map; call on the member's config before the member starts. */
  public static void configure(Config config) {
    config.addMapConfig(new MapConfig(MAP)
        .setBackupCount(2)
        .setAsyncBackupCount(0)
        .setMergePolicyConfig(new MergePolicyConfig(HzHigherVersionMergePolicy.class.getName(),
            MergePolicyConfig.DEFAULT_BATCH_SIZE)));
  }

  /** @param file where this node saves the changes, or null to keep them in the cluster only (tests) */
  public HazelcastRuntimeState(HazelcastInstance hazelcast, String nodeId, StateFile file, Executor control) {
    this.map = hazelcast.getMap(MAP);
    this.nodeId = nodeId;
    this.file = file;
    this.control = control;
    this.state = file == null ? new StateFile.State(0, java.util.Map.of()) : file.read();
    this.listener = map.addEntryListener(new Events(), KEY, true);
    this.ready = map.submitToKey(KEY, new Seed(encode(new Shared(state, true))))
        .thenAcceptAsync(json -> {
          if (json != null) {
            accept(decode(json).state());
          }
        }, control)
        .toCompletableFuture();
  }

  /** Completes once this node has reconciled its state file with the cluster. */
  public CompletionStage<Void> ready() {
    return ready;
  }

  /**
   * {@inheritDoc} Fails with {@link io.tandem.cluster.BackendConflictException} when the change adds a backend that
   * a runtime add already put in its pool (checked atomically with the store, so of two concurrent adds one fails).
   */
  @Override
  public CompletionStage<Long> apply(BackendChange change) {
    BackendChange stamped = change.stamped(0, nodeId, System.currentTimeMillis());
    CompletableFuture<Long> result = new CompletableFuture<>();
    map.submitToKey(KEY, new Apply(toJson(stamped), encode(new Shared(state, false))))
        .whenCompleteAsync((json, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else if (json.startsWith(CONFLICT)) {
            result.completeExceptionally(new io.tandem.cluster.BackendConflictException(
                json.substring(CONFLICT.length())));
          } else {
            StateFile.State stored = decode(json).state();
            accept(stored);
            result.complete(stored.version());
          }
        }, control);
    return result;
  }

  @Override
  public Map<String, BackendChange> current() {
    return state.changes();
  }

  @Override
  public long version() {
    return state.version();
  }

  @Override
  public void addListener(Consumer<Map<String, BackendChange>> listener) {
    listeners.add(listener);
  }

  @Override
  public void close() {
    map.removeEntryListener(listener);
  }

  /**
   * Takes a state from the cluster if it is the first one or newer than ours; saves it and tells the listeners. The
   * listeners are told under the same lock: two control threads taking versions 1 and 2 at once must not let a
   * listener hear 2 and then 1.
   */
  private synchronized void accept(StateFile.State next) {
    if (synced && next.version() <= state.version()) {
      return;
    }
    synced = true;
    state = next;
    if (file != null) {
      file.write(next);
    }
    listeners.forEach(l -> l.accept(next.changes()));
  }

  /** The shared entry: the state, and whether it came from a state file rather than an apply. */
  record Shared(long version, boolean seeded, Map<String, BackendChange> changes) {
    Shared(StateFile.State state, boolean seeded) {
      this(state.version(), seeded, state.changes());
    }

    StateFile.State state() {
      return new StateFile.State(version, changes);
    }
  }

  static String encode(Shared shared) {
    return toJson(shared);
  }

  static Shared decode(String json) {
    try {
      return StateFile.JSON.readValue(json, Shared.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("runtime state in the cluster is not valid JSON", e);
    }
  }

  private static String toJson(Object value) {
    try {
      return StateFile.JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Offers a state file to the cluster; answers the entry in force afterwards (null when there is none). */
  private record Seed(String offered) implements EntryProcessor<String, String, String> {
    @Override
    public String process(Map.Entry<String, String> entry) {
      Shared mine = decode(offered);
      String held = entry.getValue();
      if (held == null && mine.version() == 0 && mine.changes().isEmpty()) {
        return null;
      }
      if (held == null) {
        entry.setValue(offered);
        return offered;
      }
      Shared theirs = decode(held);
      if (theirs.seeded() && theirs.version() < mine.version()) {
        entry.setValue(offered);
        return offered;
      }
      return held;
    }
  }

  /**
   * Stamps the next version on a change, merges it over the one in force and stores the new set; answers the new set,
   * or {@link #CONFLICT} and why when the change contradicts the one in force (nothing is stored then).
   */
  private record Apply(String change, String fallback) implements EntryProcessor<String, String, String> {
    @Override
    public String process(Map.Entry<String, String> entry) {
      Shared held = decode(entry.getValue() != null ? entry.getValue() : fallback);
      BackendChange c;
      try {
        c = StateFile.JSON.readValue(change, BackendChange.class);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      BackendChange earlier = held.changes().get(c.key());
      String conflict = c.conflictWith(earlier);
      if (conflict != null) {
        return CONFLICT + conflict;
      }
      long version = held.version() + 1;
      Map<String, BackendChange> changes = new HashMap<>(held.changes());
      changes.put(c.key(), c.stamped(version, c.node(), c.atMillis()).over(earlier));
      String next = encode(new Shared(version, false, changes));
      entry.setValue(next);
      return next;
    }
  }

  private final class Events implements EntryAddedListener<String, String>, EntryUpdatedListener<String, String>,
      EntryMergedListener<String, String> {
    private void take(EntryEvent<String, String> event) {
      String json = event.getValue();
      control.execute(() -> accept(decode(json).state()));
    }

    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      take(event);
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      take(event);
    }

    /** After a split heals, the higher-version side's change set reaches the nodes of the other side. */
    @Override
    public void entryMerged(EntryEvent<String, String> event) {
      take(event);
    }
  }
}
