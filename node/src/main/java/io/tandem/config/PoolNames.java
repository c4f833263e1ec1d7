package io.tandem.config;

import java.util.List;

/** The pool names defined in a file, for checking references such as {@code default-pool} and a route's pool. */
record PoolNames(List<String> names) {
  PoolNames {
    names = List.copyOf(names);
  }

  /** Records an error at {@code key} of {@code map} unless {@code pool} is defined. */
  void check(YamlMap map, String key, String pool) {
    if (!names.contains(pool)) {
      map.error(key, "unknown pool \"" + pool + "\"; defined pools: " + String.join(", ", names));
    }
  }
}
