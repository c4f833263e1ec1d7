package io.tandem.proxy.rules;

import io.tandem.affinity.Cookies;
import io.tandem.affinity.AffinityTable;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.RouteConfig;
import io.tandem.upstream.PoolSnapshot;
import io.tandem.upstream.RoutingSnapshot;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks the pool of a split route ({@code split:}) for one request: by weight, and sticky when the pools keep
 * sessions. A client whose persistence cookie (or learned application cookie) belongs to one of the pools stays on
 * that pool; when a pool keeps sessions by source address, a client without a binding is placed by a hash of its
 * address, so it lands on the same pool every time while the weights hold; otherwise the share is drawn at random.
 * Reads the snapshot and local memory only.
 */
public final class Split {
  private Split() {}

  /** The pool for this request; {@code route.split()} holds the weights in force. */
  public static String pick(RouteConfig route, RoutingSnapshot snap, String cookieHeader, String clientIp,
      AffinityTable table) {
    List<RouteConfig.SplitTarget> targets = route.split();
    boolean bySource = false;
    for (int i = 0; i < targets.size(); i++) {
      PoolSnapshot pool = snap.pool(targets.get(i).pool());
      PersistenceConfig p = pool == null ? null : pool.config().persistence();
      if (p == null || (p.type() == PersistenceConfig.Type.NONE && p.learnCookie() == null)) {
        continue;
      }
      if (p.type() == PersistenceConfig.Type.COOKIE && cookieHeader != null) {
        String token = Cookies.find(cookieHeader, p.cookie().name());
        if (token != null && pool.byToken().containsKey(token)) {
          return pool.name();
        }
      }
      if (p.learnCookie() != null && cookieHeader != null) {
        String value = Cookies.find(cookieHeader, p.learnCookie());
        if (value != null && !value.isEmpty() && table.lookup(pool.name(), value) != null) {
          return pool.name();
        }
      }
      bySource |= p.type() == PersistenceConfig.Type.SOURCE_ADDRESS;
    }
    long total = 0;
    for (RouteConfig.SplitTarget t : targets) {
      total += t.weight();
    }
    if (total <= 0) {
      return targets.get(0).pool();
    }
    long draw = bySource ? Math.floorMod(mix(clientIp.hashCode()), total) : ThreadLocalRandom.current().nextLong(total);
    for (RouteConfig.SplitTarget t : targets) {
      draw -= t.weight();
      if (draw < 0) {
        return t.pool();
      }
    }
    return targets.get(targets.size() - 1).pool();
  }

  /** Spreads neighbouring addresses' hash codes (murmur3's finaliser). */
  private static long mix(int h) {
    long x = h & 0xffffffffL;
    x ^= x >>> 16;
    x *= 0x85ebca6bL;
    x ^= x >>> 13;
    x *= 0xc2b2ae35L;
    x ^= x >>> 16;
    return x & 0x7fffffffffffL;
  }
}
