package io.tandem.admin.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The meters of a changing set of sources (backends, listeners, pools, peers), kept in step with it: {@link #sync}
 * registers the meters of a new or replaced source and removes those of a source that went away. Holds each source
 * strongly, so meters that hold it weakly (function counters) keep reading it. Not thread-safe: the caller syncs.
 */
final class KeyedMeters<S> {
  private final MeterRegistry registry;
  private final Function<S, List<Meter>> register;
  private final Map<String, Entry<S>> entries = new HashMap<>();

  private record Entry<S>(S source, List<Meter> meters) {}

  KeyedMeters(MeterRegistry registry, Function<S, List<Meter>> register) {
    this.registry = registry;
    this.register = register;
  }

  /** Makes the registered meters those of {@code desired} (key to source; a source unequal to before is replaced). */
  void sync(Map<String, S> desired) {
    entries.entrySet().removeIf(e -> {
      boolean stale = !Objects.equals(desired.get(e.getKey()), e.getValue().source());
      if (stale) {
        e.getValue().meters().forEach(registry::remove);
      }
      return stale;
    });
    desired.forEach((key, source) -> entries.computeIfAbsent(key, k -> new Entry<>(source, register.apply(source))));
  }

  List<S> sources() {
    List<S> all = new ArrayList<>();
    entries.values().forEach(e -> all.add(e.source()));
    return all;
  }
}
