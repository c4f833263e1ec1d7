package io.tandem.cluster;

import java.util.List;

/**
 * The backends one {@code discover:} entry of a pool found in DNS, as its resolving node published them through the
 * {@link RuntimeState} (one {@link BackendChange} keyed {@code discover/<pool>/<entry key>}), so every node applies
 * the same set at the same version.
 *
 * @param backends      the backends, sorted by id; those that left the answer stay, marked leaving, for the drain
 *                      grace
 * @param status        the latest resolution's outcome
 * @param error         why the latest resolution failed, or null
 * @param changedMillis wall-clock time the set or the status last changed
 * @param resolver      node id of the node that resolved it
 */
public record DiscoveredSet(List<Endpoint> backends, Status status, String error, long changedMillis,
    String resolver) {

  /** The latest resolution's outcome. An empty answer or a failure keeps the last good backends. */
  public enum Status { OK, EMPTY, FAILED }

  public DiscoveredSet {
    backends = backends == null ? List.of() : List.copyOf(backends);
  }

  /**
   * One discovered backend.
   *
   * @param id                 {@code host:port} ({@code [v6]:port}): the same address is the same backend
   * @param host               IP address
   * @param port               port
   * @param weight             1..256
   * @param priority           SRV priority (lower is preferred); 0 for address names
   * @param leavingSinceMillis wall-clock time it left the answer (it drains until the grace ends), or 0
   */
  public record Endpoint(String id, String host, int port, int weight, int priority, long leavingSinceMillis) {
    public boolean leaving() {
      return leavingSinceMillis > 0;
    }
  }

  /** Whether the backends (addresses, weights, priorities, leaving marks) or the status differ from {@code other}'s. */
  public boolean differsFrom(DiscoveredSet other) {
    return other == null || !backends.equals(other.backends) || status != other.status
        || !java.util.Objects.equals(error, other.error);
  }
}
