package io.tandem.limits;

import java.util.List;

/**
 * One listener's rate-limit rules, in configuration order. Immutable (the buckets inside are the limiters' own).
 * The proxy checks {@link #matches} for each rule and asks the matching rules' limiters for a token.
 */
public final class ListenerRateLimits {
  static final ListenerRateLimits NONE = new ListenerRateLimits(List.of());

  private final RateLimiter[] limiters;

  ListenerRateLimits(List<RateLimiter> limiters) {
    this.limiters = limiters.toArray(new RateLimiter[0]);
  }

  /** Whether the listener has any rule (when not, nothing else needs to be looked at). */
  public boolean isEmpty() {
    return limiters.length == 0;
  }

  /** Number of rules. */
  public int size() {
    return limiters.length;
  }

  /** The {@code i}th rule's limiter. */
  public RateLimiter get(int i) {
    return limiters[i];
  }

  /**
   * Whether rule {@code i} applies to a request.
   *
   * @param host the Host header without port, lower case ("" when absent)
   * @param pool the pool the request was routed to
   */
  public boolean matches(int i, String path, String host, String pool) {
    io.tandem.config.RateLimitConfig r = limiters[i].rule();
    return (r.pathPrefix() == null || path.startsWith(r.pathPrefix()))
        && (r.host() == null || r.host().equals(host))
        && (r.pool() == null || r.pool().equals(pool));
  }

  RateLimiter limiter(String rule) {
    for (RateLimiter r : limiters) {
      if (r.rule().name().equals(rule)) {
        return r;
      }
    }
    return null;
  }

  List<RateLimiter> limiters() {
    return List.of(limiters);
  }
}
