package io.tandem.config;

import java.util.List;
import java.util.regex.Pattern;

/** Reads a listener's {@code routes}; pool references are checked against the pools defined. */
final class RouteReader {
  private RouteReader() {}

  static List<RouteConfig> read(YamlMap listener, PoolNames pools) {
    return listener.maps("routes", route -> {
      String name = route.string("name", null);
      RouteConfig.Match match = match(route.map("match", "hosts", "path-prefix", "path-regex", "methods", "headers",
          "cookies", "sni"));
      String pool = route.required("pool", Scalars::text);
      if (pool == null) {
        return null;
      }
      pools.check(route, "pool", pool);
      return new RouteConfig(name, match, pool);
    }, "name", "match", "pool");
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
