package io.tandem.config;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A routing rule: when every condition in {@code match} holds, the request goes to {@code pool}.
 * Conditions left out are not checked; a rule with no condition matches everything.
 *
 * @param name  optional label for logs
 * @param match the conditions (all must hold)
 * @param pool  the target pool (null when the route splits, or when an action always answers: a redirect or a
 *              fixed answer)
 * @param split the pools a weighted share of requests each goes to (empty: {@code pool})
 * @param mirror where copies of a share of the requests go, or null
 * @param actions    what is done to each request the route takes, in order (see {@link ActionConfig})
 * @param errorPages by status, the bodies of the answers Tandem makes itself for this route
 */
public record RouteConfig(String name, Match match, String pool, List<SplitTarget> split, Mirror mirror,
    List<ActionConfig> actions, Map<Integer, ErrorPage> errorPages) {

  public RouteConfig {
    split = List.copyOf(split);
    actions = List.copyOf(actions);
    errorPages = Map.copyOf(errorPages);
  }

  /** A route without actions or error pages. */
  public RouteConfig(String name, Match match, String pool) {
    this(name, match, pool, List.of(), null, List.of(), Map.of());
  }

  /** A route to one pool, with actions and error pages. */
  public RouteConfig(String name, Match match, String pool, List<ActionConfig> actions,
      Map<Integer, ErrorPage> errorPages) {
    this(name, match, pool, List.of(), null, actions, errorPages);
  }

  /**
   * One pool of a traffic split and its share: a request goes to it with probability weight / sum of weights (a
   * weight of 0 takes none, as during a blue/green switch).
   */
  public record SplitTarget(String pool, int weight) {}

  /**
   * A copy of a share of the route's requests sent to a shadow pool, whose answers (and failures) are dropped.
   *
   * @param percent  share of requests copied, 0 to 100
   * @param maxBody  requests with a larger body are not copied (their body is not held for the copy)
   */
  public record Mirror(String pool, double percent, long maxBody) {}

  /** The same route with {@code first} run before its own actions and {@code pages} under its own error pages. */
  public RouteConfig inheriting(List<ActionConfig> first, Map<Integer, ErrorPage> pages) {
    if (first.isEmpty() && pages.isEmpty()) {
      return this;
    }
    List<ActionConfig> all = new java.util.ArrayList<>(first);
    all.addAll(actions);
    Map<Integer, ErrorPage> merged = new java.util.HashMap<>(pages);
    merged.putAll(errorPages);
    return new RouteConfig(name, match, pool, split, mirror, all, merged);
  }

  /**
   * @param hosts      Host header (port stripped, case-insensitive): exact names or {@code *.example.com} wildcards; any
   * @param pathPrefix path starts with this
   * @param pathRegex  path matches this regular expression (find anywhere; anchor it with ^ if needed)
   * @param methods    request method is one of these
   * @param headers    header conditions
   * @param cookies    cookie conditions
   * @param sni        TLS server name the client asked for (case-insensitive): exact names or {@code *.example.com}
   */
  public record Match(
      List<String> hosts,
      String pathPrefix,
      Pattern pathRegex,
      List<String> methods,
      List<HeaderMatch> headers,
      List<CookieMatch> cookies,
      List<String> sni) {
    public Match {
      sni = List.copyOf(sni);
      hosts = List.copyOf(hosts);
      methods = List.copyOf(methods);
      headers = List.copyOf(headers);
      cookies = List.copyOf(cookies);
    }

    /** Conditions without {@code sni} (the arity before TLS). */
    public Match(List<String> hosts, String pathPrefix, Pattern pathRegex, List<String> methods,
        List<HeaderMatch> headers, List<CookieMatch> cookies) {
      this(hosts, pathPrefix, pathRegex, methods, headers, cookies, List.of());
    }
  }

  /** Header present (when both value and regex are null), equal to {@code value}, or matching {@code regex}. */
  public record HeaderMatch(String name, String value, Pattern regex) {}

  /** Cookie present (when value is null) or equal to {@code value}. */
  public record CookieMatch(String name, String value) {}
}
