package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Checks that span listeners and pools: a pool used by a {@code tcp} listener cannot use what needs HTTP (cookies,
 * request keys), and a pool that sends PROXY protocol headers cannot also serve an {@code http} listener (which would
 * not send them).
 */
final class TcpPoolRules {
  private TcpPoolRules() {}

  /** @param rawPools the file's {@code pools} list, to name each pool by its position */
  static void check(List<ListenerConfig> listeners, List<PoolConfig> pools, JsonNode rawPools, Problems problems) {
    for (PoolConfig pool : pools) {
      String at = path(rawPools, pool.name());
      for (ListenerConfig l : listeners) {
        String used = "pool \"" + pool.name() + "\" is used by " + Scalars.spelling(l.protocol()) + " listener \""
            + l.name() + "\"";
        if (l.protocol() == Protocol.TCP && pool.name().equals(l.defaultPool())) {
          PersistenceConfig p = pool.persistence();
          if (p != null && p.type() == PersistenceConfig.Type.COOKIE) {
            problems.add(at + ".persistence.type", "cookie persistence needs HTTP, but " + used
                + "; use source-address");
          }
          if (p != null && p.learnCookie() != null) {
            problems.add(at + ".persistence.learn-cookie", "learns an HTTP cookie, but " + used);
          }
          if (pool.algorithm() == Algorithm.CONSISTENT_HASH) {
            problems.add(at + ".algorithm", "consistent-hash hashes an HTTP request key, but " + used
                + "; use source-hash");
          }
        }
        if (l.protocol() == Protocol.HTTP && pool.proxyProtocol() != ProxyProtocolVersion.NONE && uses(l, pool)) {
          problems.add(at + ".proxy-protocol", "is sent only by tcp listeners, but " + used);
        }
      }
    }
  }

  private static boolean uses(ListenerConfig http, PoolConfig pool) {
    return pool.name().equals(http.defaultPool()) || http.routes().stream().anyMatch(r -> pool.name().equals(r.pool()));
  }

  private static String path(JsonNode rawPools, String name) {
    for (int i = 0; rawPools != null && rawPools.isArray() && i < rawPools.size(); i++) {
      JsonNode n = rawPools.get(i).get("name");
      if (n != null && name.equals(n.asText())) {
        return "pools[" + i + "]";
      }
    }
    return "pools";
  }
}
