package io.tandem.proxy.http;

import io.tandem.affinity.Cookies;
import io.tandem.util.Hashing;
import io.tandem.config.RateLimitConfig;
import io.tandem.limits.ListenerRateLimits;
import io.tandem.limits.RateLimiter;
import io.tandem.limits.RateLimits;
import io.tandem.upstream.RequestView;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Locale;

/**
 * Applies a listener's rate-limit rules to a request: every matching rule must give a token. Costs nothing when the
 * listener has no rule; per matching rule one map lookup and a few atomics.
 */
final class RateLimitGate {
  /** Longer keys (a huge header value) are shortened to a prefix and a hash, so a bucket stays small. */
  private static final int MAX_KEY = 96;

  private RateLimitGate() {}

  /** Why a request was refused: the rule and how long until it would be admitted. */
  record Refusal(RateLimitConfig rule, long waitNanos) {
    /** Adds Retry-After and the RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers) to a 429. */
    void headers(HttpServerResponse resp) {
      headers(resp::putHeader);
    }

    /** The same headers, to any writer of name and value. */
    void headers(java.util.function.BiConsumer<String, String> out) {
      long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
      out.accept("retry-after", Long.toString(seconds));
      out.accept("ratelimit-limit", Long.toString(rule.rate()));
      out.accept("ratelimit-remaining", "0");
      out.accept("ratelimit-reset", Long.toString(seconds));
      out.accept("ratelimit-policy", rule.rate() + ";w=" + Math.max(1, rule.period().toSeconds())
          + ";burst=" + rule.burst());
    }
  }

  /** Null when every matching rule admitted the request, else the first refusal. */
  static Refusal check(RateLimits limits, String listener, RequestView req, String pool, String clientIp) {
    if (limits == null) {
      return null;
    }
    ListenerRateLimits rules = limits.forListener(listener);
    if (rules.isEmpty()) {
      return null;
    }
    String path = req.path();
    String host = hostOf(req.host());
    long now = limits.clock().nanoTime();
    for (int i = 0; i < rules.size(); i++) {
      if (!rules.matches(i, path, host, pool)) {
        continue;
      }
      RateLimiter limiter = rules.get(i);
      long left = limiter.tryAcquire(key(limiter.rule(), req, pool, clientIp), now);
      if (left < 0) {
        return new Refusal(limiter.rule(), -left);
      }
    }
    return null;
  }

  static String key(RateLimitConfig rule, RequestView req, String pool, String clientIp) {
    String key = switch (rule.key()) {
      case SOURCE -> clientIp;
      case HEADER -> req.header(rule.keyName());
      case COOKIE -> Cookies.find(req.header(HttpHeaders.COOKIE), rule.keyName());
      case ROUTE -> pool;
    };
    if (key == null) {
      return "";
    }
    return key.length() <= MAX_KEY ? key : key.substring(0, 64) + "#" + Long.toHexString(Hashing.hash(key));
  }

  private static String hostOf(String host) {
    if (host == null) {
      return "";
    }
    int end = host.length();
    if (!host.startsWith("[")) {
      int colon = host.lastIndexOf(':');
      end = colon < 0 ? end : colon;
    }
    return host.substring(0, end).toLowerCase(Locale.ROOT);
  }
}
