package io.tandem.upstream;

import io.tandem.affinity.Cookies;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RouteConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A listener's routing rules, compiled once: the first rule whose conditions all hold names the pool, else the
 * listener's default pool. Immutable and allocation-free per request except for the host's lower-casing.
 */
public final class Router {
  private static final RouteConfig.Match EVERYTHING =
      new RouteConfig.Match(List.of(), null, null, List.of(), List.of(), List.of());

  private final Rule[] rules;
  private final RouteConfig fallback;
  private final java.util.IdentityHashMap<RouteConfig, String> labels = new java.util.IdentityHashMap<>();

  public Router(ListenerConfig listener) {
    this(listener, java.util.Map.of());
  }

  /**
   * @param splitWeights operators' weights for split routes, by route label and pool (they replace the configured
   *                     weights of the pools they name)
   */
  public Router(ListenerConfig listener, java.util.Map<String, java.util.Map<String, Integer>> splitWeights) {
    List<Rule> compiled = new ArrayList<>();
    List<RouteConfig> routes = listener.routes();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig r = withWeights(routes.get(i), splitWeights.get(label(routes.get(i), i)))
          .inheriting(listener.actions(), listener.errorPages());
      compiled.add(new Rule(r));
      labels.put(r, label(r, i));
    }
    this.rules = compiled.toArray(new Rule[0]);
    this.fallback = new RouteConfig(null, EVERYTHING, listener.defaultPool(), listener.actions(),
        listener.errorPages());
    labels.put(fallback, "default");
  }

  private static RouteConfig withWeights(RouteConfig r, java.util.Map<String, Integer> weights) {
    if (weights == null || r.split().isEmpty()) {
      return r;
    }
    List<RouteConfig.SplitTarget> split = r.split().stream()
        .map(t -> new RouteConfig.SplitTarget(t.pool(), weights.getOrDefault(t.pool(), t.weight()))).toList();
    return new RouteConfig(r.name(), r.match(), r.pool(), split, r.mirror(), r.actions(), r.errorPages());
  }

  /** How logs, metrics and the admin API name the route at {@code index}: its name, else {@code routes[index]}. */
  public static String label(RouteConfig route, int index) {
    return route.name() != null ? route.name() : "routes[" + index + "]";
  }

  /** The split targets in force (weights included) of the route labelled {@code label}; empty when none. */
  public List<RouteConfig.SplitTarget> splitOf(String label) {
    for (java.util.Map.Entry<RouteConfig, String> e : labels.entrySet()) {
      if (e.getValue().equals(label)) {
        return e.getKey().split();
      }
    }
    return List.of();
  }

  /** The label of a route {@link #match} gave ({@code default} for the listener's default). */
  public String label(RouteConfig matched) {
    String label = labels.get(matched);
    return label != null ? label : "default";
  }

  /**
   * The route this request takes: the first rule whose conditions all hold, else the listener's default (its pool,
   * its actions). The route's actions begin with the listener's. Never null, never throws.
   */
  public RouteConfig match(RequestView req) {
    if (rules.length == 0) {
      return fallback;
    }
    String host = hostWithoutPort(req.host());
    String path = req.path();
    for (Rule rule : rules) {
      if (rule.matches(req, host, path)) {
        return rule.route;
      }
    }
    return fallback;
  }

  /** The pool name for this request (null when its route always answers itself). */
  public String route(RequestView req) {
    return match(req).pool();
  }

  static String hostWithoutPort(String host) {
    if (host == null) {
      return "";
    }
    int end = host.length();
    if (host.startsWith("[")) {
      int close = host.indexOf(']');
      end = close < 0 ? end : close + 1;
    } else {
      int colon = host.lastIndexOf(':');
      if (colon >= 0) {
        end = colon;
      }
    }
    String h = host.substring(0, end);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h.toLowerCase(Locale.ROOT);
  }

  private static final class Rule {
    final RouteConfig route;
    final Set<String> exactHosts;
    final String[] wildcardSuffixes;
    final String pathPrefix;
    final java.util.regex.Pattern pathRegex;
    final Set<String> methods;
    final List<RouteConfig.HeaderMatch> headers;
    final List<RouteConfig.CookieMatch> cookies;
    final Set<String> exactSni;
    final String[] wildcardSni;

    Rule(RouteConfig r) {
      this.route = r;
      RouteConfig.Match m = r.match();
      this.exactHosts = exact(m.hosts());
      this.wildcardSuffixes = wildcardSuffixes(m.hosts());
      this.pathPrefix = m.pathPrefix();
      this.pathRegex = m.pathRegex();
      this.methods = Set.copyOf(m.methods());
      this.headers = m.headers();
      this.cookies = m.cookies();
      this.exactSni = exact(m.sni());
      this.wildcardSni = wildcardSuffixes(m.sni());
    }

    private static Set<String> exact(List<String> names) {
      return names.stream().filter(h -> !h.startsWith("*.")).map(h -> h.toLowerCase(Locale.ROOT))
          .collect(Collectors.toUnmodifiableSet());
    }

    private static String[] wildcardSuffixes(List<String> names) {
      return names.stream().filter(h -> h.startsWith("*.")).map(h -> h.substring(1).toLowerCase(Locale.ROOT))
          .toArray(String[]::new);
    }

    boolean matches(RequestView req, String host, String path) {
      if ((!exactHosts.isEmpty() || wildcardSuffixes.length > 0) && !nameMatches(host, exactHosts, wildcardSuffixes)) {
        return false;
      }
      if ((!exactSni.isEmpty() || wildcardSni.length > 0) && !sniMatches(req)) {
        return false;
      }
      if (pathPrefix != null && !path.startsWith(pathPrefix)) {
        return false;
      }
      if (!methods.isEmpty() && !methods.contains(req.method())) {
        return false;
      }
      if (pathRegex != null && !pathRegex.matcher(path).find()) {
        return false;
      }
      for (RouteConfig.HeaderMatch h : headers) {
        String v = req.header(h.name());
        if (v == null
            || (h.value() != null && !h.value().equals(v))
            || (h.regex() != null && !h.regex().matcher(v).find())) {
          return false;
        }
      }
      if (!cookies.isEmpty()) {
        String header = req.header("cookie");
        for (RouteConfig.CookieMatch c : cookies) {
          String v = Cookies.find(header, c.name());
          if (v == null || (c.value() != null && !c.value().equals(v))) {
            return false;
          }
        }
      }
      return true;
    }

    private boolean sniMatches(RequestView req) {
      String sni = req.sni();
      return sni != null && nameMatches(hostWithoutPort(sni), exactSni, wildcardSni);
    }

    private static boolean nameMatches(String host, Set<String> exact, String[] wildcards) {
      if (exact.contains(host)) {
        return true;
      }
      for (String suffix : wildcards) {
        // "*.example.com" matches "a.example.com" but not "example.com".
        if (host.length() > suffix.length() && host.endsWith(suffix)) {
          return true;
        }
      }
      return false;
    }
  }
}
