package io.tandem.upstream;

import io.tandem.cluster.BackendChange;
import io.tandem.cluster.DiscoveredSet;
import io.tandem.config.BackendConfig;
import io.tandem.config.DiscoverConfig;
import io.tandem.config.PoolConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Operators' runtime adds and removes merged into the configured pools, and the checks a backend to add must pass
 * (the configuration file's rules for {@code pools[].backends[]}).
 *
 * <p>The effective pool is the configured backends in file order, without those removed at runtime, then the
 * backends added at runtime in the order they were added. A runtime add whose id is also configured (re-added after a
 * remove, or configured later) replaces the configured entry in place: the operator's address wins until the backend
 * is removed through the API again. Last come the backends that the pool's {@code discover:} entries found in DNS
 * (published cluster-wide as {@link DiscoveredSet}s), unless an id is already there.
 */
final class RuntimeBackends {
  static final int MAX_WEIGHT = 256;

  private RuntimeBackends() {}

  /** The pools with the runtime changes applied, in configuration order. */
  static List<PoolConfig> effective(List<PoolConfig> configured, Map<String, BackendChange> changes) {
    List<PoolConfig> pools = new ArrayList<>(configured.size());
    for (PoolConfig pool : configured) {
      pools.add(effective(pool, changes));
    }
    return List.copyOf(pools);
  }

  private static PoolConfig effective(PoolConfig pool, Map<String, BackendChange> changes) {
    List<BackendConfig> backends = new ArrayList<>();
    boolean changed = false;
    for (BackendConfig b : pool.backends()) {
      BackendChange c = changes.get(pool.name() + "/" + b.id());
      if (c == null || (c.added() == null && !c.removed())) {
        backends.add(b);
      } else {
        changed = true;
        if (c.addsBackend()) {
          backends.add(config(c));
        }
      }
    }
    List<BackendChange> added = changes.values().stream()
        .filter(c -> c.pool().equals(pool.name()) && c.addsBackend()
            && pool.backends().stream().noneMatch(b -> b.id().equals(c.backendId())))
        .sorted(Comparator.comparingLong(BackendChange::version))
        .toList();
    for (BackendChange c : added) {
      backends.add(config(c));
    }
    Map<String, DiscoveredSet.Endpoint> found = discovered(pool, changes);
    java.util.Set<String> ids = new java.util.HashSet<>();
    backends.forEach(b -> ids.add(b.id()));
    boolean discoveredAny = false;
    for (Map.Entry<String, DiscoveredSet.Endpoint> e : found.entrySet()) {
      if (ids.add(e.getKey())) {
        DiscoveredSet.Endpoint d = e.getValue();
        backends.add(new BackendConfig(d.id(), d.host(), d.port(), d.weight(), maxConnections(pool, d.id(), changes)));
        discoveredAny = true;
      }
    }
    return changed || !added.isEmpty() || discoveredAny ? pool.withBackends(backends) : pool;
  }

  /**
   * The backends a pool's {@code discover:} entries found, by id, in entry order then id order; an address found by
   * two entries counts once (the first). Backends configured or added at runtime with the same id win over these.
   */
  static Map<String, DiscoveredSet.Endpoint> discovered(PoolConfig pool, Map<String, BackendChange> changes) {
    Map<String, DiscoveredSet.Endpoint> found = new java.util.LinkedHashMap<>();
    for (DiscoverConfig d : pool.discover()) {
      BackendChange c = changes.get(BackendChange.discoveredKey(pool.name(), d.key()));
      if (c != null && c.discovered() != null) {
        c.discovered().backends().forEach(e -> found.putIfAbsent(e.id(), e));
      }
    }
    return found;
  }

  /** The {@code max-connections} of the entry that found backend {@code id}. */
  private static int maxConnections(PoolConfig pool, String id, Map<String, BackendChange> changes) {
    for (DiscoverConfig d : pool.discover()) {
      BackendChange c = changes.get(BackendChange.discoveredKey(pool.name(), d.key()));
      if (c != null && c.discovered() != null && c.discovered().backends().stream().anyMatch(e -> e.id().equals(id))) {
        return d.maxConnections();
      }
    }
    return 0;
  }

  private static BackendConfig config(BackendChange c) {
    BackendChange.Added a = c.added();
    return new BackendConfig(c.backendId(), a.host(), a.port(), a.weight(), a.maxConnections());
  }

  /**
   * Checks a backend to add and answers it with its host normalized ({@code [::1]} becomes {@code ::1}).
   *
   * @throws InvalidBackendException naming the first field out of range
   */
  static BackendConfig checked(BackendConfig b) {
    if (b.id() == null || b.id().isBlank()) {
      throw new InvalidBackendException("id", "id must not be empty");
    }
    if (b.id().chars().anyMatch(ch -> ch < ' ' || ch == 127)) {
      throw new InvalidBackendException("id", "id must not contain control characters");
    }
    String host = b.host() == null ? "" : b.host();
    if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.isBlank() || host.chars().anyMatch(ch -> ch <= ' ' || ch == '/' || ch == '[' || ch == ']' || ch >= 127)) {
      throw new InvalidBackendException("host", "host must be a host name or an IP address, got \"" + b.host()
          + "\"");
    }
    if (b.port() < 1 || b.port() > 65535) {
      throw new InvalidBackendException("port", "port must be between 1 and 65535, got " + b.port());
    }
    checkWeight(b.weight());
    if (b.maxConnections() < 0) {
      throw new InvalidBackendException("maxConnections", "maxConnections must be at least 0, got "
          + b.maxConnections());
    }
    return new BackendConfig(b.id(), host, b.port(), b.weight(), b.maxConnections());
  }

  static void checkWeight(int weight) {
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new InvalidBackendException("weight", "weight must be between 1 and " + MAX_WEIGHT + ", got " + weight);
    }
  }
}
