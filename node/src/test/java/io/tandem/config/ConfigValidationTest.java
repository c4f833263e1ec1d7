package io.tandem.config;

import static io.tandem.config.ConfigTexts.LISTENER;
import static io.tandem.config.ConfigTexts.POOL;
import static io.tandem.config.ConfigTexts.errors;
import static io.tandem.config.ConfigTexts.listener;
import static io.tandem.config.ConfigTexts.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Every validation message the loader produces, each checked as the only error of a small configuration. */
class ConfigValidationTest {

  @Test
  void listenersAndPoolsAreRequired() {
    assertEquals(List.of("pools: at least one pool is required", "listeners: at least one listener is required"),
        errors(""));
    assertEquals(List.of("listeners: at least one listener is required"), errors("listeners: []\n" + POOL));
    assertEquals(List.of("pools: at least one pool is required"), errors(LISTENER + "pools: []\n"));
  }

  @Test
  void topLevelMustBeAMapping() {
    assertEquals(List.of("the top level must be a mapping with listeners and pools, got a list",
        "pools: at least one pool is required", "listeners: at least one listener is required"), errors("- a\n"));
  }

  @Test
  void unknownKeysAreErrorsAtEveryLevel() {
    assertEquals(List.of("unknown key \"listener\"; expected one of: node, access-log, listeners, pools, cluster, nodes, admin, vips, dns"),
        errors(LISTENER + POOL + "listener: {}\n"));
    assertEquals(List.of("pools[0].backends[0]: unknown key \"weigth\"; expected one of: id, address, weight,"
        + " max-connections"), errors(LISTENER + """
            pools:
              - name: app
                backends: [{address: 127.0.0.1:9001, weigth: 2}]
            """));
    assertEquals(List.of("pools[0].health.active: unknown key \"max_fails\"; expected one of: type, method, path,"
        + " host, expect-status, expect-body, service, interval, timeout, rise, fall"),
        errors(pool("health: {active: {max_fails: 3}}")));
  }

  @Test
  void wrongShapes() {
    assertEquals(List.of("node: must be a mapping, got a list"), errors(LISTENER + POOL + "node: [1]\n"));
    assertEquals(List.of("listeners[0].routes: must be a list, got \"all\""), errors(listener("routes: all")));
    assertEquals(List.of("listeners[0].name: must be a string, got 7; quote it: \"7\""),
        errors(POOL + "listeners: [{name: 7, bind: 127.0.0.1:80}]\n"));
    assertEquals(List.of("listeners[0].name: must be a string, got a list"),
        errors(POOL + "listeners: [{name: [a], bind: 127.0.0.1:80}]\n"));
    assertEquals(List.of("listeners[0].name: must not be empty"),
        errors(POOL + "listeners: [{name: \" \", bind: 127.0.0.1:80}]\n"));
    assertEquals(List.of("node.event-loops: must be an integer, got \"four\""),
        errors(LISTENER + POOL + "node: {event-loops: four}\n"));
    assertEquals(List.of("node.transport: must be one of: auto, epoll, io-uring, nio; got \"uring\""),
        errors(LISTENER + POOL + "node: {transport: uring}\n"));
    assertEquals(List.of("access-log.enabled: must be true or false, got \"yes\""),
        errors(LISTENER + POOL + "access-log: {enabled: yes}\n"));
  }

  @Test
  void requiredFields() {
    assertEquals(List.of("listeners[0].name: is required", "listeners[0].bind: is required"),
        errors(POOL + "listeners: [{protocol: http}]\n"));
    assertEquals(List.of("pools[0].name: is required"), errors(LISTENER + "pools: [{backends: [{address: h:1}]}]\n"));
    assertEquals(List.of("pools[0].backends: at least one backend is required (or discover: entries that find them in DNS)"),
        errors(LISTENER + "pools: [{name: app}]\n"));
    assertEquals(List.of("pools[0].backends: at least one backend is required (or discover: entries that find them in DNS)"),
        errors(LISTENER + "pools: [{name: app, backends: []}]\n"));
    assertEquals(List.of("pools[0].backends[0].address: is required"),
        errors(LISTENER + "pools: [{name: app, backends: [{id: a}]}]\n"));
  }

  @Test
  void addresses() {
    String localhost = "must be host:port (IPv6 as [::1]:8080), got \"localhost\"";
    assertEquals(List.of("listeners[0].bind: " + localhost), errors(POOL + "listeners: [{name: w, bind: localhost}]\n"));
    assertEquals(List.of("pools[0].backends[0].address: must be host:port (IPv6 as [::1]:8080), got \"::1:80\""),
        errors(LISTENER + "pools: [{name: app, backends: [{address: \"::1:80\"}]}]\n"));
    assertEquals(List.of("listeners[0].bind: must be host:port (IPv6 as [::1]:8080), got 8080"),
        errors(POOL + "listeners: [{name: w, bind: 8080}]\n"));
    assertEquals(List.of("listeners[0].bind: must be host:port (IPv6 as [::1]:8080), got \":8080\""),
        errors(POOL + "listeners: [{name: w, bind: \":8080\"}]\n"));
    assertEquals(List.of("listeners[0].bind: must be host:port (IPv6 as [::1]:8080), got \"h:80x\""),
        errors(POOL + "listeners: [{name: w, bind: \"h:80x\"}]\n"));
    assertEquals(List.of("listeners[0].bind: port must be between 0 and 65535, got 65536"),
        errors(POOL + "listeners: [{name: w, bind: \"127.0.0.1:65536\"}]\n"));
    assertEquals(List.of("pools[0].backends[0].address: port must be between 1 and 65535, got 0"),
        errors(LISTENER + "pools: [{name: app, backends: [{address: \"127.0.0.1:0\"}]}]\n"));
  }

  @Test
  void uniqueNames() {
    assertEquals(List.of("listeners[1].name: duplicate listener name \"web\", also used by listeners[0]"),
        errors(POOL + """
            listeners:
              - {name: web, bind: 127.0.0.1:8080}
              - {name: web, bind: 127.0.0.1:8081}
            """));
    assertEquals(List.of("pools[1].name: duplicate pool name \"app\", also used by pools[0]"), errors(LISTENER + """
        pools:
          - {name: app, backends: [{address: 127.0.0.1:9001}]}
          - {name: app, backends: [{address: 127.0.0.1:9002}]}
        """));
    assertEquals(List.of("pools[0].backends[1].id: duplicate backend id \"a\", also used by backends[0]"),
        errors(LISTENER + "pools: [{name: app, backends: [{id: a, address: h:1}, {id: a, address: h:2}]}]\n"));
    assertEquals(List.of("pools[0].backends[1].address: duplicate backend id \"h:1\", also used by backends[0]"
        + " (a backend without an id is known by its address)"),
        errors(LISTENER + "pools: [{name: app, backends: [{address: h:1}, {address: h:1}]}]\n"));
  }

  @Test
  void poolNamesAndBackendIdsAreIdentifiers() {
    String rule = "must be 1 to 64 letters, digits or . _ : - [ ] (it appears in cookies, metric labels and admin API"
        + " paths), got ";
    assertEquals(List.of("pools[0].name: " + rule + "\"a/b\"", "pools[0].backends[0].id: " + rule + "\"x y\""),
        errors("listeners: [{name: web, bind: 127.0.0.1:8080, default-pool: a/b}]\n"
            + "pools: [{name: a/b, backends: [{id: x y, address: h:1}]}]\n"));
    assertEquals("[::1]:80", ConfigTexts.parses(LISTENER + "pools: [{name: app, backends: [{address: \"[::1]:80\"}]}]\n")
        .pools().get(0).backends().get(0).id());
  }

  @Test
  void listenersCannotShareAnAddress() {
    assertEquals(List.of("listeners[1].bind: 127.0.0.1:8080 conflicts with listener \"a\" bound to 127.0.0.1:8080"),
        errors(POOL + """
            listeners:
              - {name: a, bind: 127.0.0.1:8080}
              - {name: b, bind: 127.0.0.1:8080}
            """));
    assertEquals(List.of("listeners[1].bind: [::1]:8080 conflicts with listener \"a\" bound to [::]:8080"),
        errors(POOL + """
            listeners:
              - {name: a, bind: "[::]:8080"}
              - {name: b, bind: "[::1]:8080"}
            """));
    // Port 0 picks a free port per listener, and different ports never clash.
    ConfigTexts.parses(POOL + """
        listeners:
          - {name: a, bind: 127.0.0.1:0}
          - {name: b, bind: 127.0.0.1:0}
          - {name: c, bind: 0.0.0.0:8080}
          - {name: d, bind: 127.0.0.1:8081}
        """);
  }

  @Test
  void numbersInRange() {
    assertEquals(List.of("pools[0].backends[0].weight: must be between 1 and 256, got 0"),
        errors(LISTENER + "pools: [{name: app, backends: [{address: h:1, weight: 0}]}]\n"));
    assertEquals(List.of("pools[0].backends[0].weight: must be between 1 and 256, got 257"),
        errors(LISTENER + "pools: [{name: app, backends: [{address: h:1, weight: 257}]}]\n"));
    assertEquals(List.of("pools[0].backends[0].max-connections: must be at least 0, got -1"),
        errors(LISTENER + "pools: [{name: app, backends: [{address: h:1, max-connections: -1}]}]\n"));
    assertEquals(List.of("pools[0].queue.max-size: must be at least 0, got -5"), errors(pool("queue: {max-size: -5}")));
    assertEquals(List.of("pools[0].retries.connect-attempts: must be at least 1, got 0"),
        errors(pool("retries: {connect-attempts: 0}")));
    assertEquals(List.of("pools[0].health.active.rise: must be at least 1, got 0",
        "pools[0].health.active.fall: must be at least 1, got 0"), errors(pool("health: {active: {rise: 0, fall: 0}}")));
    assertEquals(List.of("pools[0].health.passive.max-ejection-percent: must be between 0 and 100, got 101"),
        errors(pool("health: {passive: {max-ejection-percent: 101}}")));
    assertEquals(List.of("pools[0].health.passive.consecutive-failures: must be at least 1, got 0"),
        errors(pool("health: {passive: {consecutive-failures: 0}}")));
    assertEquals(List.of("pools[0].connection-pool-size: must be at least 1, got 0"),
        errors(pool("connection-pool-size: 0")));
    assertEquals(List.of("listeners[0].max-connections: must be at least 1, got 0"),
        errors(listener("max-connections: 0")));
    assertEquals(List.of("node.event-loops: must be at least 0, got -1"),
        errors(LISTENER + POOL + "node: {event-loops: -1}\n"));
    assertEquals(List.of("node.event-loops: must be at most 2147483647, got 3000000000"),
        errors(LISTENER + POOL + "node: {event-loops: 3000000000}\n"));
    assertEquals(List.of("node.event-loops: must be an integer, got 99999999999999999999"),
        errors(LISTENER + POOL + "node: {event-loops: 99999999999999999999}\n"));
  }

  @Test
  void sizes() {
    assertEquals(List.of("listeners[0].limits.max-body-size: must be a size in bytes like 16384 or 16KiB"
        + " (also MiB, GiB), got \"10MB\""), errors(listener("limits: {max-body-size: 10MB}")));
    assertEquals(List.of("listeners[0].limits.max-body-size: is too large: \"999999999999GiB\""),
        errors(listener("limits: {max-body-size: 999999999999GiB}")));
    assertEquals(List.of("listeners[0].limits.max-uri-length: must be at least 1, got 0"),
        errors(listener("limits: {max-uri-length: 0}")));
    assertEquals(List.of("listeners[0].limits.max-header-size: must be at most 2147483647, got 2147483648"),
        errors(listener("limits: {max-header-size: 2GiB}")));
  }

  @Test
  void durations() {
    assertEquals(List.of("pools[0].timeouts.connect: must be a duration like 500ms, 2s, 1m30s or 1h, got 5"
        + " (a bare number; add a unit)"), errors(pool("timeouts: {connect: 5}")));
    assertEquals(List.of("pools[0].timeouts.connect: must be a duration like 500ms, 2s, 1m30s or 1h, got \"5 s\""),
        errors(pool("timeouts: {connect: 5 s}")));
    assertEquals(List.of("pools[0].timeouts.connect: must be a duration like 500ms, 2s, 1m30s or 1h, got \"-1s\""),
        errors(pool("timeouts: {connect: -1s}")));
    assertEquals(List.of("node.drain-timeout: must be positive, got \"0s\""),
        errors(LISTENER + POOL + "node: {drain-timeout: 0s}\n"));
  }

  @Test
  void choicesListTheAllowedValues() {
    assertEquals(List.of("pools[0].algorithm: must be one of: round-robin, least-connections, random-two-choices,"
        + " source-hash, consistent-hash; got \"roundrobin\""), errors(pool("algorithm: roundrobin")));
    assertEquals(List.of("listeners[0].protocol: must be one of: http, tcp; got \"HTTP\""),
        errors(listener("protocol: HTTP")));
    assertEquals(List.of("pools[0].health.active.type: must be one of: http, tcp, grpc; got 7"),
        errors(pool("health: {active: {type: 7}}")));
    assertEquals(List.of("pools[0].persistence.type: must be one of: none, cookie, source-address; got \"ip\""),
        errors(pool("persistence: {type: ip}")));
    assertEquals(List.of("pools[0].persistence.cookie.same-site: must be one of: strict, lax, none; got \"Lax\""),
        errors(pool("persistence: {type: cookie, cookie: {same-site: Lax}}")));
  }

  @Test
  void poolReferencesMustExist() {
    String pools = """
        pools:
          - {name: web, backends: [{address: h:1}]}
          - {name: video, backends: [{address: h:2}]}
        """;
    assertEquals(List.of("listeners[0].routes[0].pool: unknown pool \"vidoe\"; defined pools: web, video"),
        errors(pools + """
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                default-pool: web
                routes: [{match: {path-prefix: /video/}, pool: vidoe}]
            """));
    assertEquals(List.of("listeners[0].default-pool: unknown pool \"wbe\"; defined pools: web, video"),
        errors(pools + "listeners: [{name: web, bind: 127.0.0.1:8080, default-pool: wbe}]\n"));
    assertEquals(List.of("listeners[0].default-pool: is required when several pools are defined; defined pools:"
        + " web, video"), errors(pools + "listeners: [{name: web, bind: 127.0.0.1:8080}]\n"));
    assertEquals(List.of("listeners[0].routes[0].pool: is required"),
        errors(listener("routes: [{match: {path-prefix: /a}}]")));
  }

  @Test
  void routeConditions() {
    assertEquals(List.of("listeners[0].routes[0].match.path-regex: invalid regex: Unclosed group near index 4 of"
        + " \"^/(a\""), errors(listener("routes: [{match: {path-regex: \"^/(a\"}, pool: app}]")));
    assertEquals(List.of("listeners[0].routes[0].match.path-prefix: must be a path starting with /, got \"video\""),
        errors(listener("routes: [{match: {path-prefix: video}, pool: app}]")));
    assertEquals(List.of("listeners[0].routes[0].match.hosts[1]: must be a host name like example.com or"
        + " *.example.com (no port), got \"a.com:80\""),
        errors(listener("routes: [{match: {hosts: [b.com, \"a.com:80\"]}, pool: app}]")));
    assertEquals(List.of("listeners[0].routes[0].match.methods[0]: must be an upper-case HTTP method like GET,"
        + " got \"get\""), errors(listener("routes: [{match: {methods: [get]}, pool: app}]")));
    assertEquals(List.of("listeners[0].routes[0].match.headers[0].name: must be a header name (letters, digits"
        + " and !#$%&'*+-.^_`|~), got \"X Tier\""),
        errors(listener("routes: [{match: {headers: [{name: X Tier}]}, pool: app}]")));
    assertEquals(List.of("listeners[0].routes[0].match.headers[0].regex: set value or regex, not both"),
        errors(listener("routes: [{match: {headers: [{name: X-A, value: a, regex: b}]}, pool: app}]")));
    assertEquals(List.of("listeners[0].routes[0].match.headers[0].name: is required"),
        errors(listener("routes: [{match: {headers: [{value: a}]}, pool: app}]")));
    assertEquals(List.of("listeners[0].routes[0].match.cookies[0].name: must be a cookie name (RFC 6265 token: no"
        + " spaces or ()<>@,;:\\\"/[]?={}), got \"a=b\""),
        errors(listener("routes: [{match: {cookies: [{name: \"a=b\"}]}, pool: app}]")));
  }

  @Test
  void hashKey() {
    assertEquals(List.of("pools[0].hash-key: is required for algorithm consistent-hash: {header: NAME},"
        + " {cookie: NAME} or {path: true}"), errors(pool("algorithm: consistent-hash")));
    assertEquals(List.of("pools[0].hash-key: applies only to algorithm consistent-hash; this pool uses"
        + " least-connections"), errors(pool("algorithm: least-connections\nhash-key: {header: X-User}")));
    assertEquals(List.of("pools[0].hash-key: must set exactly one of header, cookie or path"),
        errors(pool("algorithm: consistent-hash\nhash-key: {header: X-User, cookie: u}")));
    assertEquals(List.of("pools[0].hash-key: must set exactly one of header, cookie or path"),
        errors(pool("algorithm: consistent-hash\nhash-key: {}")));
    assertEquals(List.of("pools[0].hash-key.path: must be true to hash the request path; leave it out otherwise"),
        errors(pool("algorithm: consistent-hash\nhash-key: {path: false}")));
    assertEquals(List.of("pools[0].hash-key.cookie: must be a cookie name (RFC 6265 token: no spaces or"
        + " ()<>@,;:\\\"/[]?={}), got \"a b\""), errors(pool("algorithm: consistent-hash\nhash-key: {cookie: a b}")));
  }

  @Test
  void activeHealth() {
    assertEquals(List.of("pools[0].health.active.path: must be a path starting with /, got \"health\""),
        errors(pool("health: {active: {path: health}}")));
    assertEquals(List.of("pools[0].health.active.method: applies only to type: http; a tcp check only connects",
        "pools[0].health.active.expect-status: applies only to type: http; a tcp check only connects"),
        errors(pool("health: {active: {type: tcp, method: GET, expect-status: 200}}")));
    assertEquals(List.of("pools[0].health.active.expect-status: must be a status like 200 or a range like 200-399,"
        + " got \"2xx\""), errors(pool("health: {active: {expect-status: 2xx}}")));
    assertEquals(List.of("pools[0].health.active.expect-status: status 600 is outside 100..599"),
        errors(pool("health: {active: {expect-status: 200-600}}")));
    assertEquals(List.of("pools[0].health.active.expect-status: status 99 is outside 100..599"),
        errors(pool("health: {active: {expect-status: 099}}")));
    assertEquals(List.of("pools[0].health.active.expect-status: range 399-200 is reversed; write 200-399"),
        errors(pool("health: {active: {expect-status: 399-200}}")));
  }

  @Test
  void grpcHealth() {
    assertEquals(List.of("pools[0].health.active.path: applies only to type: http; a grpc check calls"
        + " grpc.health.v1.Health/Check", "pools[0].health.active.expect-status: applies only to type: http; a grpc"
        + " check calls grpc.health.v1.Health/Check"),
        errors(pool("health: {active: {type: grpc, path: /health, expect-status: 200}}")));
    for (String key : new String[] {"method: GET", "host: a.example", "expect-body: ok"}) {
      assertEquals(List.of("pools[0].health.active." + key.substring(0, key.indexOf(':'))
          + ": applies only to type: http; a grpc check calls grpc.health.v1.Health/Check"),
          errors(pool("health: {active: {type: grpc, " + key + "}}")), key);
    }
    assertEquals(List.of("pools[0].health.active.service: applies only to type: grpc"),
        errors(pool("health: {active: {service: my.pkg.Echo}}")));
    assertEquals(List.of("pools[0].health.active.service: applies only to type: grpc"),
        errors(pool("health: {active: {type: tcp, service: my.pkg.Echo}}")));
    assertEquals(List.of("pools[0].health.active.service: must not be empty; leave it out to ask about the server"
        + " as a whole"), errors(pool("health: {active: {type: grpc, service: \"\"}}")));
    assertEquals(List.of("pools[0].health.active.service: must be a gRPC service name like my.pkg.Echo (no spaces or"
        + " control characters), got \"my Echo\""), errors(pool("health: {active: {type: grpc, service: my Echo}}")));
    assertEquals(List.of("pools[0].health.active.service: must be a string, got 7; quote it: \"7\""),
        errors(pool("health: {active: {type: grpc, service: 7}}")));
    assertEquals(List.of("pools[0].health.active.type: must be one of: http, tcp, grpc; got \"grpcs\""),
        errors(pool("health: {active: {type: grpcs}}")));
  }

  @Test
  void http2Backends() {
    assertEquals(List.of("pools[0].protocol: h2 is HTTP/2 over TLS and needs the pool's tls block; use h2c for"
        + " HTTP/2 in clear text"), errors(pool("protocol: h2")));
    assertEquals(List.of("pools[0].protocol: h2c is HTTP/2 in clear text, but the pool has a tls block; use h2 for"
        + " HTTP/2 over TLS"), errors(pool("protocol: h2c\ntls: {trust-all: true}")));
    assertEquals(List.of("pools[0].protocol: must be one of: http1, h2, h2c; got \"grpc\""),
        errors(pool("protocol: grpc")));
    assertEquals(List.of("pools[0].http2: applies only to HTTP/2 backends (protocol: h2 or h2c); this pool speaks"
        + " http1"), errors(pool("http2: {max-connections: 2}")));
    assertEquals(List.of("pools[0].http2.max-connections: must be between 1 and 1024, got 0"),
        errors(pool("protocol: h2c\nhttp2: {max-connections: 0}")));
    assertEquals(List.of("pools[0].http2: unknown key \"ping\"; expected one of: max-connections, ping-interval,"
        + " ping-timeout"), errors(pool("protocol: h2c\nhttp2: {ping: 1s}")));
    assertEquals(List.of("listeners[0].routes[0].mirror.pool: mirror copies go out as HTTP/1.1, but pool \"app\""
        + " speaks HTTP/2 to its backends; mirror to an http1 pool"), errors("""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            routes: [{match: {path-prefix: /}, pool: app, mirror: {pool: app}}]
        pools:
          - name: app
            protocol: h2c
            backends: [{address: 127.0.0.1:9001}]
        """));
    PoolConfig p = ConfigTexts.parses(pool("protocol: h2c\nhttp2: {max-connections: 2, ping-interval: off,"
        + " ping-timeout: 5s}")).pools().get(0);
    assertEquals(BackendProtocol.H2C, p.protocol());
    assertEquals(new PoolConfig.Http2(2, null, java.time.Duration.ofSeconds(5)), p.http2());
    assertEquals(PoolConfig.Http2.DEFAULTS, ConfigTexts.parses(pool("protocol: h2c")).pools().get(0).http2());
  }

  @Test
  void persistence() {
    assertEquals(List.of("pools[0].persistence.cookie.same-site: none requires secure: true (browsers drop"
        + " SameSite=None cookies without Secure)"), errors(pool("persistence: {type: cookie, cookie: {same-site: none}}")));
    assertEquals(List.of("pools[0].persistence.cookie: applies only to type: cookie"),
        errors(pool("persistence: {type: source-address, cookie: {name: A}}")));
    assertEquals(List.of("pools[0].persistence.idle-timeout: applies only to type: source-address or with learn-cookie"),
        errors(pool("persistence: {type: cookie, idle-timeout: 1m}")));
    assertEquals(List.of("pools[0].persistence.cookie.name: must be a cookie name (RFC 6265 token: no spaces or"
        + " ()<>@,;:\\\"/[]?={}), got \"my cookie\""), errors(pool("persistence: {type: cookie, cookie: {name: my cookie}}")));
    assertEquals(List.of("pools[0].persistence.cookie.path: must not contain ';', got \"/a;b\""),
        errors(pool("persistence: {type: cookie, cookie: {path: \"/a;b\"}}")));
  }
}
