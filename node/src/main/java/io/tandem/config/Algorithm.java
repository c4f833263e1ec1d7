package io.tandem.config;

/** Load-balancing algorithm of a pool. YAML spelling in brackets. */
public enum Algorithm {
  /** Smooth weighted round robin [round-robin]. */
  ROUND_ROBIN,
  /** Fewest active connections relative to weight [least-connections]. */
  LEAST_CONNECTIONS,
  /** Two weighted random choices, the less loaded wins [random-two-choices]. */
  RANDOM_TWO_CHOICES,
  /** Consistent hash of the client address [source-hash]. */
  SOURCE_HASH,
  /** Consistent hash of a request key chosen by {@link HashKey} [consistent-hash]. */
  CONSISTENT_HASH
}
