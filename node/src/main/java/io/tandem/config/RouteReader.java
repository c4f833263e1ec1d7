package io.tandem.config;

import java.util.List;
import java.util.regex.Pattern;

/** Reads a listener's {@code routes}; pool references are checked against the pools defined. */
final class RouteReader {
  private RouteReader() {}

  static List<RouteConfig> read(YamlMap listener, PoolNames pools, java.nio.file.Path base) {
    return listener.maps("routes", route -> {
      String name = route.string("name", null);
      RouteConfig.Match match = match(route.map("match", "hosts", "path-prefix", "path-regex", "methods", "headers",
          "cookies", "sni"));
      List<ActionConfig> actions = ActionReader.read(route, match.pathPrefix(), base);
      java.util.Map<Integer, ErrorPage> pages = ActionReader.errorPages(route, base);
      List<RouteConfig.SplitTarget> split = split(route, pools);
      RouteConfig.Mirror mirror = mirror(route, pools);
      if (route.has("split") && route.has("pool")) {
        route.error("split", "set pool or split, not both");
      }
      String pool = null;   // a split, or a route that always redirects or answers itself, needs no pool
      if (route.has("pool") || (!route.has("split") && !ActionReader.alwaysAnswers(actions))) {
        pool = route.required("pool", Scalars::text);
        if (pool == null) {
          return null;
        }
        pools.check(route, "pool", pool);
      }
      return new RouteConfig(name, match, pool, split, mirror, actions, pages);
    }, "name", "match", "pool", "split", "mirror", "actions", "error-pages");
  }

  /** {@code split: [{pool: main, weight: 80}, {pool: canary, weight: 20}]}. */
  private static List<RouteConfig.SplitTarget> split(YamlMap route, PoolNames pools) {
    List<RouteConfig.SplitTarget> targets = route.maps("split", t -> {
      String pool = t.required("pool", Scalars::text);
      int weight = t.integer("weight", 1, 0, 1_000_000);
      if (pool != null) {
        pools.check(t, "pool", pool);
      }
      return pool == null ? null : new RouteConfig.SplitTarget(pool, weight);
    }, "pool", "weight");
    if (!route.has("split")) {
      return targets;
    }
    if (targets.size() < 2) {
      route.error("split", "needs at least two pools (a route to one pool names it with pool)");
    } else if (targets.stream().map(RouteConfig.SplitTarget::pool).distinct().count() < targets.size()) {
      route.error("split", "names a pool twice; give each pool one entry with its whole weight");
    } else if (targets.stream().allMatch(t -> t.weight() == 0)) {
      route.error("split", "every weight is 0: at least one pool must take requests");
    }
    return targets;
  }

  /** {@code mirror: {pool: shadow, percent: 10, max-body: 64KiB}}. */
  private static RouteConfig.Mirror mirror(YamlMap route, PoolNames pools) {
    if (!route.has("mirror")) {
      return null;
    }
    YamlMap m = route.map("mirror", "pool", "percent", "max-body");
    String pool = m.required("pool", Scalars::text);
    double percent = m.value("percent", 100.0, n -> {
      if (!n.isNumber() || n.asDouble() < 0 || n.asDouble() > 100) {
        throw new IllegalArgumentException("must be a number from 0 to 100, got " + Scalars.describe(n));
      }
      return n.asDouble();
    });
    long maxBody = m.size("max-body", 64 * 1024, 0, 16L << 20);
    if (pool == null) {
      return null;
    }
    pools.check(m, "pool", pool);
    if (pools.http2(pool)) {
      m.error("pool", "mirror copies go out as HTTP/1.1, but pool \"" + pool + "\" speaks HTTP/2 to its backends;"
          + " mirror to an http1 pool");
    }
    return new RouteConfig.Mirror(pool, percent, maxBody);
  }

  private static RouteConfig.Match match(YamlMap match) {
    List<String> hosts = match.scalars("hosts", Scalars::hostPattern);
    String pathPrefix = match.value("path-prefix", null, Scalars::urlPath);
    Pattern pathRegex = match.value("path-regex", null, Scalars::regex);
    List<String> methods = match.scalars("methods", Scalars::method);
    List<RouteConfig.HeaderMatch> headers = match.maps("headers", header -> {
      String name = header.required("name", Scalars::headerName);
      String value = header.string("value", null);
      Pattern regex = header.value("regex", null, Scalars::regex);
      if (header.has("value") && header.has("regex")) {
        header.error("regex", "set value or regex, not both");
      }
      return name == null ? null : new RouteConfig.HeaderMatch(name, value, regex);
    }, "name", "value", "regex");
    List<RouteConfig.CookieMatch> cookies = match.maps("cookies", cookie -> {
      String name = cookie.required("name", Scalars::cookieName);
      String value = cookie.string("value", null);
      return name == null ? null : new RouteConfig.CookieMatch(name, value);
    }, "name", "value");
    List<String> sni = match.scalars("sni", Scalars::hostPattern);
    return new RouteConfig.Match(hosts, pathPrefix, pathRegex, methods, headers, cookies, sni);
  }
}
