package io.tandem.config;

import static io.tandem.config.ConfigTexts.LISTENER;
import static io.tandem.config.ConfigTexts.errors;
import static io.tandem.config.ConfigTexts.parses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code dns:} section and pools' {@code discover:} entries. */
class DiscoveryConfigTest {
  private static final String DISCOVER = LISTENER + """
      dns:
        resolvers: [127.0.0.1:5353, 10.0.0.2, "[fd00::53]:53"]
        timeout: 500ms
        min-interval: 2s
        max-interval: 1m
        drain-grace: 10s
      pools:
        - name: app
          discover:
            - {name: Web.Tandem.Test., port: 19001}
            - {name: web.tandem.test, port: 19002, family: ipv6, weight: 5, max-connections: 100, min-interval: 5s,
               max-interval: 5s, drain-grace: 0s}
            - {srv: _http._tcp.api.tandem.test}
      """;

  @Test
  void dnsAndDiscoverEntriesAreRead() {
    TandemConfig c = parses(DISCOVER);
    assertEquals(new DnsConfig(List.of(new InetSocketAddress("127.0.0.1", 5353), new InetSocketAddress("10.0.0.2", 53),
        new InetSocketAddress("fd00::53", 53)), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofMinutes(1),
        Duration.ofSeconds(10)), c.dns());
    PoolConfig app = c.pools().get(0);
    assertEquals(List.of(), app.backends(), "a pool that discovers needs no fixed backends");
    assertEquals(List.of(
        new DiscoverConfig(DiscoverConfig.Type.ANY, "web.tandem.test", 19001, 1, 0, Duration.ofSeconds(2),
            Duration.ofMinutes(1), Duration.ofSeconds(10)),
        new DiscoverConfig(DiscoverConfig.Type.IPV6, "web.tandem.test", 19002, 5, 100, Duration.ofSeconds(5),
            Duration.ofSeconds(5), Duration.ZERO),
        new DiscoverConfig(DiscoverConfig.Type.SRV, "_http._tcp.api.tandem.test", 0, 1, 0, Duration.ofSeconds(2),
            Duration.ofMinutes(1), Duration.ofSeconds(10))), app.discover());
    assertEquals(List.of("web.tandem.test:19001", "ipv6:web.tandem.test:19002", "srv:_http._tcp.api.tandem.test"),
        app.discover().stream().map(DiscoverConfig::key).toList());
  }

  @Test
  void withoutADnsSectionTheSystemResolversAndDefaultsApply() {
    TandemConfig c = parses(LISTENER + """
        pools:
          - name: app
            backends: [{address: 127.0.0.1:9001}]
            discover: [{name: web.tandem.test, port: 80}]
        """);
    assertEquals(DnsConfig.DEFAULTS, c.dns());
    assertEquals(1, c.pools().get(0).backends().size(), "fixed and discovered backends side by side");
    assertEquals(Duration.ofSeconds(30), c.pools().get(0).discover().get(0).maxInterval());
  }

  @Test
  void badEntriesNameTheFieldAndWhatIsWrong() {
    assertEquals(List.of(
        "dns.resolvers[0]: must be a name server's IP address with an optional port (10.0.0.2, 10.0.0.2:5353, "
            + "[fd00::2]:53), got \"ns.example:53\"",
        "dns.timeout: must be positive, got \"0s\"",
        "dns.max-interval: must not be shorter than min-interval (5000ms), got 1000ms",
        "pools[0].discover[0].port: is required: the backends' port (the A/AAAA records carry only addresses)",
        "pools[0].discover[1].name: must be a DNS name such as web.example.internal (labels of letters, digits, - and"
            + " _), got \"web..test\"",
        "pools[0].discover[2].srv: give either name (A/AAAA records, with a port) or srv (SRV records), not both",
        "pools[0].discover[3].port: does not apply to an SRV name: its records carry port, weight and priority",
        "pools[0].discover[4].family: must be one of: any, ipv4, ipv6; got \"v6\"",
        "pools[0].discover[5].name: is required: the DNS name whose A/AAAA records are the backends (or srv: for an "
            + "SRV name)",
        "pools[0].discover[7].name: duplicate discover entry web.test:80, also discover[6]",
        "pools[0].discover[8]: unknown key \"wait\"; expected one of: name, srv, port, family, weight, "
            + "max-connections, min-interval, max-interval, drain-grace"),
        errors(LISTENER + """
            dns:
              resolvers: [ns.example:53]
              timeout: 0s
              min-interval: 5s
              max-interval: 1s
            pools:
              - name: app
                discover:
                  - {name: web.test}
                  - {name: web..test, port: 80}
                  - {name: web.test, srv: _x._tcp.web.test, port: 80}
                  - {srv: _x._tcp.web.test, port: 80}
                  - {name: web.test, port: 81, family: v6}
                  - {port: 80}
                  - {name: web.test, port: 80}
                  - {name: WEB.test., port: 80}
                  - {name: other.test, port: 80, wait: 1s}
            """));
  }
}
