package io.tandem.config;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A routing rule: when every condition in {@code match} holds, the request goes to {@code pool}.
 * Conditions left out are not checked; a rule with no condition matches everything.
 *
 * @param name  optional label for logs
 * @param match the conditions (all must hold)
 * @param pool  the target pool
 */
public record RouteConfig(String name, Match match, String pool) {

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
