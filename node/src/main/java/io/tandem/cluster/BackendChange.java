package io.tandem.cluster;

import io.tandem.upstream.AdminState;

/**
 * One operator change of one backend. Null fields leave that aspect as configured.
 *
 * @param pool      pool name
 * @param backendId backend id
 * @param state     admin state, or null
 * @param weight    weight override (1..256), or null
 * @param version   cluster-wide version, assigned when stored (0 before)
 * @param node      id of the node where the change was made
 * @param atMillis  wall-clock time of the change
 */
public record BackendChange(
    String pool, String backendId, AdminState state, Integer weight, long version, String node, long atMillis) {

  public static BackendChange state(String pool, String backendId, AdminState state) {
    return new BackendChange(pool, backendId, state, null, 0, null, 0);
  }

  public static BackendChange weight(String pool, String backendId, int weight) {
    return new BackendChange(pool, backendId, null, weight, 0, null, 0);
  }

  public String key() {
    return pool + "/" + backendId;
  }

  /** This change merged over an earlier one for the same backend (fields this one leaves null are kept). */
  public BackendChange over(BackendChange earlier) {
    if (earlier == null) {
      return this;
    }
    return new BackendChange(pool, backendId, state != null ? state : earlier.state,
        weight != null ? weight : earlier.weight, version, node, atMillis);
  }
}
