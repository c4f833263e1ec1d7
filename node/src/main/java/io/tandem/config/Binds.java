package io.tandem.config;

import java.util.List;
import java.util.Locale;

/**
 * The addresses one node binds (its listeners, after the node's overrides, and its cluster and admin addresses), checked
 * together: two cannot share a port on the same address, or on any address when one is a wildcard.
 */
final class Binds {
  private Binds() {}

  /**
   * One bound address.
   *
   * @param path  where the address was written, for the message, e.g. {@code nodes[1].listeners.web}
   * @param label what binds it, e.g. {@code listener "web"}
   */
  record Bind(String path, String label, Scalars.HostPort address) {}

  /** Records an error at the later of every two binds that conflict (once per bind). */
  static void check(List<Bind> binds, Problems problems) {
    for (int i = 1; i < binds.size(); i++) {
      Bind bind = binds.get(i);
      for (Bind other : binds.subList(0, i)) {
        if (overlaps(bind.address(), other.address())) {
          problems.add(bind.path(), bind.address() + " conflicts with " + other.label() + " bound to "
              + other.address());
          break;
        }
      }
    }
  }

  static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals("::");
  }

  private static boolean overlaps(Scalars.HostPort a, Scalars.HostPort b) {
    if (a.port() == 0 || a.port() != b.port()) {
      return false;
    }
    String hostA = a.host().toLowerCase(Locale.ROOT);
    String hostB = b.host().toLowerCase(Locale.ROOT);
    return hostA.equals(hostB) || isWildcard(hostA) || isWildcard(hostB);
  }
}
