package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** The pool names defined in a file, for checking references such as {@code default-pool} and a route's pool. */
record PoolNames(List<String> names) {
  PoolNames {
    names = List.copyOf(names);
  }

  /** The names in a {@code pools} list, read without validation (the pools themselves report their errors). */
  static PoolNames in(JsonNode pools) {
    return new PoolNames(Names.in(pools, "name"));
  }

  /** Records an error at {@code key} of {@code map} unless {@code pool} is defined. */
  void check(YamlMap map, String key, String pool) {
    if (!names.contains(pool)) {
      map.error(key, "unknown pool \"" + pool + "\"; defined pools: " + String.join(", ", names));
    }
  }
}
