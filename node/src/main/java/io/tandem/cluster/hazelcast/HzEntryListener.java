package io.tandem.cluster.hazelcast;

import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.EntryListener;
import com.hazelcast.map.MapEvent;

/**
 * An entry listener reduced to two callbacks: an entry now holds a value (null when it went away), or the whole map was
 * cleared. Runs on a Hazelcast event thread, so implementations only update local memory or hand work on.
 */
abstract class HzEntryListener<K, V> implements EntryListener<K, V> {

  abstract void changed(K key, V valueOrNull);

  abstract void cleared();

  @Override
  public final void entryAdded(EntryEvent<K, V> event) {
    changed(event.getKey(), event.getValue());
  }

  @Override
  public final void entryUpdated(EntryEvent<K, V> event) {
    changed(event.getKey(), event.getValue());
  }

  @Override
  public final void entryRemoved(EntryEvent<K, V> event) {
    changed(event.getKey(), null);
  }

  @Override
  public final void entryEvicted(EntryEvent<K, V> event) {
    changed(event.getKey(), null);
  }

  @Override
  public final void entryExpired(EntryEvent<K, V> event) {
    changed(event.getKey(), null);
  }

  @Override
  public final void mapCleared(MapEvent event) {
    cleared();
  }

  @Override
  public final void mapEvicted(MapEvent event) {
    cleared();
  }
}
