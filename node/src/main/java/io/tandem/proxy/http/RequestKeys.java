package io.tandem.proxy.http;

import io.tandem.affinity.Cookies;
import io.tandem.balancing.PickContext;
import io.tandem.config.Algorithm;
import io.tandem.config.HashKey;
import io.tandem.config.PoolConfig;
import io.tandem.upstream.RequestView;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import java.util.concurrent.ThreadLocalRandom;

/** Facts taken from a request for routing decisions: the key a pool's hash algorithm hashes, idempotency. */
final class RequestKeys {
  private RequestKeys() {}

  /** Whether a request with this method may be sent twice (RFC 9110 section 9.2.2). */
  static boolean idempotent(HttpMethod m) {
    return idempotent(m.name());
  }

  /** The same for a method as sent. */
  static boolean idempotent(String m) {
    return switch (m) {
      case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
      default -> false;
    };
  }

  /** Whether {@code headers} holds more than {@code max} fields (repeated names each count); stops at max + 1. */
  static boolean headerCountOver(io.vertx.core.MultiMap headers, int max) {
    // forEach walks Vert.x's entries as they are; a for-each loop would wrap each one in a new Map.Entry.
    int[] n = {0};
    headers.forEach((name, value) -> n[0]++);
    return n[0] > max;
  }

  /**
   * A pick context for {@code pool}'s algorithm: the client address for source hashing, the configured header, cookie
   * or path for consistent hashing (a request without the key gets a random point on the ring), nothing otherwise.
   */
  static PickContext pickContext(PoolConfig pool, RequestView req, String clientIp) {
    if (pool.algorithm() == Algorithm.SOURCE_HASH) {
      return PickContext.forKey(clientIp);
    }
    if (pool.algorithm() != Algorithm.CONSISTENT_HASH || pool.hashKey() == null) {
      return PickContext.create();
    }
    HashKey key = pool.hashKey();
    CharSequence value = switch (key.source()) {
      case HEADER -> req.header(key.name());
      case COOKIE -> Cookies.find(req.header(HttpHeaders.COOKIE), key.name());
      case PATH -> req.path();
    };
    return value == null ? PickContext.forHash(ThreadLocalRandom.current().nextLong()) : PickContext.forKey(value);
  }
}
