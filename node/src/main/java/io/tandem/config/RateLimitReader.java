package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads a listener's {@code rate-limits} list. */
final class RateLimitReader {
  private RateLimitReader() {}

  /**
   * @param tcp whether the listener is a tcp one: its rules count new connections, so they can match a pool only and
   *     be keyed by source or route (a connection has no path, host, header or cookie)
   */
  static List<RateLimitConfig> read(YamlMap listener, PoolNames pools, boolean tcp) {
    Map<String, Integer> seen = new HashMap<>();
    int[] index = {0};
    return listener.maps("rate-limits", rule -> {
      int position = index[0]++;
      String name = rule.required("name", Scalars::text);
      YamlMap match = rule.map("match", "path-prefix", "host", "pool");
      String pathPrefix = match.value("path-prefix", null, Scalars::urlPath);
      String host = match.value("host", null, Scalars::hostPattern);
      String pool = match.string("pool", null);
      if (pool != null) {
        pools.check(match, "pool", pool);
      }
      KeySpec key = rule.required("key", RateLimitReader::key);
      if (!rule.has("rate")) {
        rule.error("rate", "is required");
      }
      long rate = rule.integer("rate", 1, 1, 1_000_000_000);
      Duration period = rule.duration("period", Duration.ofSeconds(1));
      int burst = rule.integer("burst", (int) Math.min(Integer.MAX_VALUE, Math.max(1, rate)), 1, Integer.MAX_VALUE);
      int maxKeys = rule.integer("max-keys", RateLimitConfig.DEFAULT_MAX_KEYS, 1, Integer.MAX_VALUE);
      if (tcp) {
        for (String http : List.of("path-prefix", "host")) {
          if (match.has(http)) {
            match.error(http, "applies only to http listeners; on a tcp listener a rule counts connections, which"
                + " can match a pool only");
          }
        }
        if (key != null && key.key() != RateLimitConfig.Key.SOURCE && key.key() != RateLimitConfig.Key.ROUTE) {
          rule.error("key", "must be source or route on a tcp listener (a connection has no headers or cookies)");
        }
      }
      if (host != null && host.startsWith("*.")) {
        match.error("host", "must be an exact host name, got \"" + host + "\"");
      }
      if (name != null) {
        Integer first = seen.putIfAbsent(name, position);
        if (first != null) {
          rule.error("name", "duplicate rate-limit name \"" + name + "\", also used by rate-limits[" + first + "]");
        }
      }
      if (name == null || key == null) {
        return null;
      }
      return new RateLimitConfig(name, pathPrefix, host, pool, key.key(), key.name(), rate,
          period, burst, maxKeys);
    }, "name", "match", "key", "rate", "period", "burst", "max-keys");
  }

  /** A parsed {@code key}: its kind and the header or cookie name. */
  record KeySpec(RateLimitConfig.Key key, String name) {}

  /** {@code source}, {@code route}, {@code header:NAME} or {@code cookie:NAME}. */
  static KeySpec key(JsonNode node) {
    String s = Scalars.text(node);
    String form = "must be source, route, header:NAME or cookie:NAME, got " + Scalars.describe(node);
    switch (s) {
      case "source":
        return new KeySpec(RateLimitConfig.Key.SOURCE, null);
      case "route":
        return new KeySpec(RateLimitConfig.Key.ROUTE, null);
      default:
        break;
    }
    int colon = s.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(form);
    }
    String kind = s.substring(0, colon);
    JsonNode name = com.fasterxml.jackson.databind.node.TextNode.valueOf(s.substring(colon + 1));
    if (kind.equals("header")) {
      return new KeySpec(RateLimitConfig.Key.HEADER, Scalars.headerName(name));
    }
    if (kind.equals("cookie")) {
      return new KeySpec(RateLimitConfig.Key.COOKIE, Scalars.cookieName(name));
    }
    throw new IllegalArgumentException(form);
  }
}
