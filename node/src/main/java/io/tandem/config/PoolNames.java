package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The pool names defined in a file, for checking references such as {@code default-pool} and a route's pool, and
 * which of them speak HTTP/2 to their backends (a mirror's copy goes out as HTTP/1.1).
 */
record PoolNames(List<String> names, List<String> http2) {
  PoolNames {
    names = List.copyOf(names);
    http2 = List.copyOf(http2);
  }

  PoolNames(List<String> names) {
    this(names, List.of());
  }

  /** The names in a {@code pools} list, read without validation (the pools themselves report their errors). */
  static PoolNames in(JsonNode pools) {
    List<String> http2 = new ArrayList<>();
    if (pools != null && pools.isArray()) {
      for (JsonNode p : pools) {
        JsonNode protocol = p.get("protocol");
        JsonNode name = p.get("name");
        if (protocol != null && name != null && name.isTextual()
            && ("h2".equals(protocol.asText()) || "h2c".equals(protocol.asText()))) {
          http2.add(name.asText());
        }
      }
    }
    return new PoolNames(Names.in(pools, "name"), http2);
  }

  /** Records an error at {@code key} of {@code map} unless {@code pool} is defined. */
  void check(YamlMap map, String key, String pool) {
    if (!names.contains(pool)) {
      map.error(key, "unknown pool \"" + pool + "\"; defined pools: " + String.join(", ", names));
    }
  }

  /** Whether {@code pool} speaks HTTP/2 to its backends. */
  boolean http2(String pool) {
    return http2.contains(pool);
  }
}
