package io.tandem.config;

import static io.tandem.config.ConfigTexts.errors;
import static io.tandem.config.ConfigTexts.listener;
import static io.tandem.config.ConfigTexts.parses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rate-limit rules, per-client connection limits and the header-count limit in the listener configuration. */
class OverloadConfigTest {

  @Test
  void readsRulesAndLimits() {
    ListenerConfig l = parses(listener("""
        max-connections-per-client: 20
        limits: {max-header-count: 50}
        rate-limits:
          - {name: limited, match: {path-prefix: /limited}, key: source, rate: 50, burst: 10}
          - name: api
            match: {host: API.example.com, pool: app}
            key: header:X-Api-Key
            rate: 600
            period: 1m
            max-keys: 5000
          - {name: shop, key: cookie:SID, rate: 5}
          - {name: all, key: route, rate: 1000, burst: 2000}
        """)).listeners().get(0);
    assertEquals(20, l.maxConnectionsPerClient());
    assertEquals(50, l.limits().maxHeaderCount());
    assertEquals(List.of(
        new RateLimitConfig("limited", "/limited", null, null, RateLimitConfig.Key.SOURCE, null, 50,
            Duration.ofSeconds(1), 10, RateLimitConfig.DEFAULT_MAX_KEYS),
        new RateLimitConfig("api", null, "api.example.com", "app", RateLimitConfig.Key.HEADER, "X-Api-Key", 600,
            Duration.ofMinutes(1), 600, 5000),
        new RateLimitConfig("shop", null, null, null, RateLimitConfig.Key.COOKIE, "SID", 5, Duration.ofSeconds(1), 5,
            RateLimitConfig.DEFAULT_MAX_KEYS),
        new RateLimitConfig("all", null, null, null, RateLimitConfig.Key.ROUTE, null, 1000, Duration.ofSeconds(1),
            2000, RateLimitConfig.DEFAULT_MAX_KEYS)), l.rateLimits());
    assertEquals(Duration.ofMillis(100).toNanos(), l.rateLimits().get(1).intervalNanos());
  }

  @Test
  void defaultsAreNoLimits() {
    ListenerConfig l = parses(listener("")).listeners().get(0);
    assertEquals(0, l.maxConnectionsPerClient());
    assertEquals(List.of(), l.rateLimits());
    assertEquals(100, l.limits().maxHeaderCount());
  }

  @Test
  void badRules() {
    assertEquals(List.of("listeners[0].rate-limits[0].name: is required",
        "listeners[0].rate-limits[0].key: is required", "listeners[0].rate-limits[0].rate: is required"),
        errors(listener("rate-limits: [{}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].key: must be source, route, header:NAME or cookie:NAME, got"
        + " \"ip\""), errors(listener("rate-limits: [{name: a, key: ip, rate: 1}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].key: must be source, route, header:NAME or cookie:NAME, got"
        + " \"query:x\""), errors(listener("rate-limits: [{name: a, key: \"query:x\", rate: 1}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].key: must be a header name (letters, digits and"
        + " !#$%&'*+-.^_`|~), got \"X Key\""), errors(listener("rate-limits: [{name: a, key: \"header:X Key\", rate: 1}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].key: must be a cookie name (RFC 6265 token: no spaces or"
        + " ()<>@,;:\\\"/[]?={}), got \"a=b\""), errors(listener("rate-limits: [{name: a, key: \"cookie:a=b\", rate: 1}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].rate: must be between 1 and 1000000000, got 0"),
        errors(listener("rate-limits: [{name: a, key: source, rate: 0}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].rate: must be an integer, got \"50/s\""),
        errors(listener("rate-limits: [{name: a, key: source, rate: 50/s}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].burst: must be at least 1, got 0"),
        errors(listener("rate-limits: [{name: a, key: source, rate: 5, burst: 0}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].period: must be a duration like 500ms, 2s, 1m30s or 1h, got"
        + " \"1\""), errors(listener("rate-limits: [{name: a, key: source, rate: 5, period: \"1\"}]")));
    assertEquals(List.of("listeners[0].rate-limits[1].name: duplicate rate-limit name \"a\", also used by"
        + " rate-limits[0]"), errors(listener("rate-limits: [{name: a, key: source, rate: 5}, {name: a, key: route,"
        + " rate: 5}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].match.pool: unknown pool \"nope\"; defined pools: app"),
        errors(listener("rate-limits: [{name: a, key: source, rate: 5, match: {pool: nope}}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].match.host: must be an exact host name, got \"*.x.com\""),
        errors(listener("rate-limits: [{name: a, key: source, rate: 5, match: {host: \"*.x.com\"}}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].match.path-prefix: must be a path starting with /, got"
        + " \"limited\""), errors(listener("rate-limits: [{name: a, key: source, rate: 5, match: {path-prefix:"
        + " limited}}]")));
    assertEquals(List.of("listeners[0].rate-limits[0]: unknown key \"limit\"; expected one of: name, match, key,"
        + " rate, period, burst, max-keys"), errors(listener("rate-limits: [{name: a, key: source, rate: 5,"
        + " limit: 3}]")));
    assertEquals(List.of("listeners[0].rate-limits[0].max-keys: must be at least 1, got 0"),
        errors(listener("rate-limits: [{name: a, key: source, rate: 5, max-keys: 0}]")));
  }

  @Test
  void badListenerLimits() {
    assertEquals(List.of("listeners[0].max-connections-per-client: must be at least 0, got -1"),
        errors(listener("max-connections-per-client: -1")));
    assertEquals(List.of("listeners[0].limits.max-header-count: must be at least 1, got 0"),
        errors(listener("limits: {max-header-count: 0}")));
  }

  @Test
  void readsPoolGuards() {
    PoolConfig p = parses(ConfigTexts.pool("""
        slow-start: 30s
        circuit-breaker: {consecutive-failures: 10, open-time: 2s}
        retry-budget: {percent: 25, min-retries: 5}
        """)).pools().get(0);
    assertEquals(Duration.ofSeconds(30), p.slowStart());
    assertEquals(new PoolConfig.CircuitBreaker(10, Duration.ofSeconds(2)), p.circuitBreaker());
    assertEquals(new PoolConfig.RetryBudget(25, 5), p.retryBudget());
    PoolConfig defaults = parses(ConfigTexts.pool("circuit-breaker: {}")).pools().get(0);
    assertEquals(null, defaults.slowStart());
    assertEquals(PoolConfig.CircuitBreaker.DEFAULTS, defaults.circuitBreaker());
    assertEquals(PoolConfig.RetryBudget.DEFAULTS, defaults.retryBudget());
    assertEquals(null, parses(ConfigTexts.pool("")).pools().get(0).circuitBreaker());
  }

  @Test
  void badPoolGuards() {
    assertEquals(List.of("pools[0].slow-start: must be a duration like 500ms, 2s, 1m30s or 1h, got \"30\""),
        errors(ConfigTexts.pool("slow-start: \"30\"")));
    assertEquals(List.of("pools[0].circuit-breaker.consecutive-failures: must be at least 1, got 0"),
        errors(ConfigTexts.pool("circuit-breaker: {consecutive-failures: 0}")));
    assertEquals(List.of("pools[0].circuit-breaker: unknown key \"threshold\"; expected one of:"
        + " consecutive-failures, open-time"), errors(ConfigTexts.pool("circuit-breaker: {threshold: 3}")));
    assertEquals(List.of("pools[0].retry-budget.percent: must be between 0 and 100, got 120"),
        errors(ConfigTexts.pool("retry-budget: {percent: 120}")));
    assertEquals(List.of("pools[0].retry-budget.min-retries: must be at least 0, got -1"),
        errors(ConfigTexts.pool("retry-budget: {min-retries: -1}")));
  }
}
