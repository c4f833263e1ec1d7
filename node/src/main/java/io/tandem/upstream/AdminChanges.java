package io.tandem.upstream;

import io.tandem.cluster.AdminState;
import io.tandem.cluster.BackendChange;
import io.tandem.cluster.BackendConflictException;
import io.tandem.config.BackendConfig;
import io.tandem.config.PoolConfig;
import java.util.List;

/**
 * Checks an operator's change against the pools in force and answers the {@link BackendChange} to store; throws,
 * with nothing stored, when it cannot be made. Pure: the pools and the snapshot in force are its whole input.
 */
final class AdminChanges {
  private final List<PoolConfig> effective;
  private final RoutingSnapshot snapshot;

  /** @param effective the pools in force; {@code snapshot} the routing snapshot in force (may be null at start) */
  AdminChanges(List<PoolConfig> effective, RoutingSnapshot snapshot) {
    this.effective = effective;
    this.snapshot = snapshot;
  }

  /** @throws UnknownBackendException the pool or the backend does not exist */
  BackendChange state(String pool, String backendId, AdminState state) {
    existing(pool, backendId);
    return BackendChange.state(pool, backendId, state);
  }

  /** @throws UnknownBackendException or {@link InvalidBackendException} for a weight outside 1..256 */
  BackendChange weight(String pool, String backendId, int weight) {
    existing(pool, backendId);
    RuntimeBackends.checkWeight(weight);
    return BackendChange.weight(pool, backendId, weight);
  }

  /** See {@link #checkAdd}. */
  BackendChange add(String pool, BackendConfig backend) {
    BackendConfig b = checkAdd(pool, backend);
    return BackendChange.add(pool, b.id(), new BackendChange.Added(b.host(), b.port(), b.weight(),
        b.maxConnections()));
  }

  /** See {@link #checkRemove}. */
  BackendChange remove(String pool, String backendId) {
    checkRemove(pool, backendId);
    return BackendChange.remove(pool, backendId);
  }

  /**
   * A backend to add, with its host normalized.
   *
   * @throws UnknownBackendException  the pool does not exist
   * @throws InvalidBackendException  a field is out of range
   * @throws BackendConflictException the pool already has a backend with that id
   */
  BackendConfig checkAdd(String pool, BackendConfig backend) {
    PoolConfig p = pool(pool);
    BackendConfig b = RuntimeBackends.checked(backend);
    if (p.backends().stream().anyMatch(other -> other.id().equals(b.id()))) {
      throw new BackendConflictException("pool " + pool + " already has a backend with id \"" + b.id() + "\"");
    }
    return b;
  }

  /**
   * Checks that a backend may be removed.
   *
   * @throws UnknownBackendException  the pool or the backend does not exist
   * @throws BackendConflictException it is the pool's last backend, or it was discovered in DNS
   */
  void checkRemove(String pool, String backendId) {
    PoolConfig p = existing(pool, backendId);
    Backend b = snapshot == null || snapshot.pool(pool) == null ? null : snapshot.pool(pool).byId().get(backendId);
    if (b != null && b.source() == Backend.Source.DISCOVERED) {
      throw new BackendConflictException("backend " + backendId + " of pool " + pool + " was found in DNS and comes "
          + "back with the next answer; drain or disable it instead, or change the DNS records");
    }
    if (p.backends().size() == 1) {
      throw new BackendConflictException("backend " + backendId + " is the last one of pool " + pool
          + "; add another before removing it");
    }
  }

  private PoolConfig pool(String pool) {
    for (PoolConfig p : effective) {
      if (p.name().equals(pool)) {
        return p;
      }
    }
    throw new UnknownBackendException("unknown pool \"" + pool + "\"; defined pools: "
        + String.join(", ", effective.stream().map(PoolConfig::name).toList()));
  }

  private PoolConfig existing(String pool, String backendId) {
    PoolConfig p = pool(pool);
    if (p.backends().stream().noneMatch(b -> b.id().equals(backendId))) {
      throw new UnknownBackendException("pool " + pool + " has no backend \"" + backendId + "\"");
    }
    return p;
  }
}
