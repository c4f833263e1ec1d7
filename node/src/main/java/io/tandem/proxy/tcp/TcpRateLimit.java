package io.tandem.proxy.tcp;

import io.tandem.config.RateLimitConfig;
import io.tandem.limits.ListenerRateLimits;
import io.tandem.limits.RateLimiter;
import io.tandem.limits.RateLimits;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A tcp listener's rate-limit rules applied to a new connection (HAProxy's {@code sc_conn_rate} rejections): every
 * rule matching the pool must give a token, keyed by the client address (the one a trusted PROXY header named) or by
 * the pool. The buckets are the cluster-wide ones of {@link RateLimits}, as for HTTP requests.
 */
final class TcpRateLimit {
  private static final Logger LOG = LogManager.getLogger(TcpRateLimit.class);

  private TcpRateLimit() {}

  /** Whether a rule refuses this connection; costs nothing when the listener has no rule. */
  static boolean refuses(TcpListenerRuntime listener, String pool, String clientIp) {
    RateLimits limits = listener.rateLimits();
    if (limits == null) {
      return false;
    }
    ListenerRateLimits rules = limits.forListener(listener.name());
    long now = limits.clock().nanoTime();
    for (int i = 0; i < rules.size(); i++) {
      if (rules.matches(i, "", "", pool)) {
        RateLimiter limiter = rules.get(i);
        String key = limiter.rule().key() == RateLimitConfig.Key.ROUTE ? pool : clientIp;
        if (limiter.tryAcquire(key, now) < 0) {
          LOG.debug("connection from {} on {} refused by rate limit {}", clientIp, listener.name(),
              limiter.rule().name());
          return true;
        }
      }
    }
    return false;
  }
}
