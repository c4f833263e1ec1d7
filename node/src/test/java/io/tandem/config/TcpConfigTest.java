package io.tandem.config;

import static io.tandem.config.ConfigTexts.errors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** protocol: tcp listeners, PROXY protocol settings and the rules between tcp listeners and their pools. */
class TcpConfigTest {
  private static final String TCP = """
      listeners:
        - name: db
          bind: 127.0.0.1:5432
          protocol: tcp
      """;
  private static final String POOL = """
      pools:
        - name: pg
          backends: [{address: 127.0.0.1:5433}]
      """;

  private static String tcp(String listenerLines, String poolLines) {
    return TCP + ConfigTexts.indent(listenerLines, 4) + POOL + ConfigTexts.indent(poolLines, 4);
  }

  @Test
  void readsATcpListener() throws Exception {
    TandemConfig c = ConfigLoader.parse(tcp("""
        pool: pg
        proxy-protocol: {accept: true, trusted: [10.0.0.0/8, "192.168.1.7", "fd00::/8"], timeout: 2s}
        """, "proxy-protocol: v2\n"), "t.yaml");
    ListenerConfig l = c.listeners().get(0);
    assertEquals(Protocol.TCP, l.protocol());
    assertEquals("pg", l.defaultPool());
    assertEquals(new ProxyProtocolAccept(true, List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("192.168.1.7/32"),
        Cidr.parse("fd00::/8")), Duration.ofSeconds(2)), l.proxyProtocol());
    assertTrue(l.proxyProtocol().trusts(InetAddress.getByName("10.1.2.3")));
    assertTrue(l.proxyProtocol().trusts(InetAddress.getByName("::ffff:10.1.2.3")));
    assertFalse(l.proxyProtocol().trusts(InetAddress.getByName("192.168.1.8")));
    assertEquals(ProxyProtocolVersion.V2, c.pools().get(0).proxyProtocol());
    assertEquals(ProxyProtocolAccept.OFF, ConfigLoader.parse(tcp("", ""), "t.yaml").listeners().get(0).proxyProtocol());
  }

  @Test
  void refusesHttpFieldsOnTcpListenersAndTcpFieldsOnHttpListeners() {
    assertEquals(List.of("listeners[0].routes: applies only to http listeners; this listener is tcp",
        "listeners[0].trust-forwarded: applies only to http listeners; this listener is tcp",
        "listeners[0].limits: applies only to http listeners; this listener is tcp",
        "listeners[0].timeouts.request-header: applies only to http listeners; this listener is tcp (it has"
            + " timeouts.idle)"),
        errors(tcp("""
            routes: [{pool: pg}]
            trust-forwarded: true
            limits: {max-uri-length: 10}
            timeouts: {request-header: 1s, idle: 5m}
            """, "")));
    assertEquals(List.of("listeners[0].default-pool: applies only to http listeners; this listener is tcp (a tcp"
        + " listener names its pool with pool)"), errors(tcp("default-pool: pg", "")));
    // The HTTPS redirect is for HTTP listeners only; per-client connection limits and rate limits work on both.
    assertEquals(List.of(
        "listeners[0].redirect-to-https: applies only to http listeners; this listener is tcp"),
        errors(tcp("""
            max-connections-per-client: 5
            rate-limits: [{name: r, key: source, rate: 5}]
            redirect-to-https: 443
            """, "")));
    assertEquals(List.of("listeners[0].pool: applies only to tcp listeners; this listener is http"),
        errors(ConfigTexts.listener("pool: app\nproxy-protocol: {accept: false}")));
  }

  @Test
  void aTcpListenersRateLimitsCountConnectionsBySourceOrPool() throws Exception {
    TandemConfig c = ConfigLoader.parse(tcp("""
        pool: pg
        max-connections-per-client: 5
        rate-limits:
          - {name: per-client, key: source, rate: 20, period: 10s, burst: 5}
          - {name: per-pool, match: {pool: pg}, key: route, rate: 1000}
        """, ""), "t.yaml");
    ListenerConfig l = c.listeners().get(0);
    assertEquals(5, l.maxConnectionsPerClient());
    assertEquals(List.of("per-client", "per-pool"), l.rateLimits().stream().map(RateLimitConfig::name).toList());
    assertEquals(RateLimitConfig.Key.ROUTE, l.rateLimits().get(1).key());
    assertEquals(List.of(
        "listeners[0].rate-limits[0].match.path-prefix: applies only to http listeners; on a tcp listener a rule counts"
            + " connections, which can match a pool only",
        "listeners[0].rate-limits[0].match.host: applies only to http listeners; on a tcp listener a rule counts"
            + " connections, which can match a pool only",
        "listeners[0].rate-limits[1].key: must be source or route on a tcp listener (a connection has no headers or"
            + " cookies)"),
        errors(tcp("""
            rate-limits:
              - {name: a, match: {path-prefix: /x, host: db.example.com}, key: source, rate: 5}
              - {name: b, key: "header:X-Api-Key", rate: 5}
            """, "")));
  }

  @Test
  void checksTheProxyProtocolSettings() {
    assertEquals(List.of("listeners[0].proxy-protocol.trusted: is required with accept: true: the addresses or"
        + " networks (e.g. 10.0.0.0/8) of the balancers allowed to send PROXY headers"),
        errors(tcp("proxy-protocol: {accept: true}", "")));
    assertEquals(List.of("listeners[0].proxy-protocol.trusted: needs accept: true"),
        errors(tcp("proxy-protocol: {trusted: [10.0.0.0/8]}", "")));
    assertEquals(List.of("listeners[0].proxy-protocol.trusted[0]: must be an IP address or network such as"
            + " 10.0.0.0/8 or fd00::/8, got \"lb.example.com\"",
        "listeners[0].proxy-protocol.trusted[1]: prefix length must be 0..32, got \"10.0.0.0/33\""),
        errors(tcp("proxy-protocol: {accept: true, trusted: [lb.example.com, 10.0.0.0/33]}", "")));
    assertEquals(List.of("pools[0].proxy-protocol: must be one of: none, v1, v2; got \"v3\""),
        errors(tcp("", "proxy-protocol: v3")));
  }

  @Test
  void refusesWhatATcpListenersPoolCannotDo() {
    assertEquals(List.of("pools[0].persistence.type: cookie persistence needs HTTP, but pool \"pg\" is used by tcp"
        + " listener \"db\"; use source-address"), errors(tcp("", "persistence: {type: cookie}")));
    assertEquals(List.of("pools[0].persistence.learn-cookie: learns an HTTP cookie, but pool \"pg\" is used by tcp"
        + " listener \"db\""), errors(tcp("", "persistence: {learn-cookie: JSESSIONID}")));
    assertEquals(List.of("pools[0].algorithm: consistent-hash hashes an HTTP request key, but pool \"pg\" is used by"
        + " tcp listener \"db\"; use source-hash"),
        errors(tcp("", "algorithm: consistent-hash\nhash-key: {path: true}")));
    assertEquals(List.of("pools[0].proxy-protocol: is sent only by tcp listeners, but pool \"app\" is used by http"
        + " listener \"web\""), errors(ConfigTexts.pool("proxy-protocol: v1")));
  }

  @Test
  void aTlsTcpListenerCannotAcceptProxyHeaders() {
    java.nio.file.Path certs = java.nio.file.Path.of("..", "config", "bench", "certs").toAbsolutePath().normalize();
    assertEquals(List.of("listeners[0].proxy-protocol: cannot be accepted on a listener with tls (the PROXY header would"
        + " come before the TLS handshake); terminate TLS on the outer balancer, or send no PROXY header to this"
        + " listener"), errors(tcp("""
            proxy-protocol: {accept: true, trusted: [10.0.0.0/8]}
            tls:
              certificates: [{cert: %s/a.tandem.test.crt, key: %s/a.tandem.test.key}]
            """.formatted(certs, certs), "")));
  }
}
