package io.tandem.cluster;

import java.util.List;

/**
 * A node's configuration differs from the cluster's (the pools, routes or settings that must match everywhere, see
 * {@link ConfigFingerprint}): routing with another view than the rest of the cluster would split sessions, so the
 * node is refused before it holds any shared data.
 */
public final class ConfigMismatchException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final List<String> mismatches;

  public ConfigMismatchException(List<String> mismatches) {
    super("configuration differs from the cluster's: " + String.join("; ", mismatches));
    this.mismatches = List.copyOf(mismatches);
  }

  /** One line per field that differs: the field, what the reference node has and what this node has. */
  public List<String> mismatches() {
    return mismatches;
  }
}
