package io.tandem.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.config.RouteConfig;
import io.tandem.testing.TestConfigs;
import io.vertx.core.MultiMap;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RouterTest {
  private static RouteConfig.Match match(List<String> hosts, String prefix, String regex, List<String> methods,
      List<RouteConfig.HeaderMatch> headers, List<RouteConfig.CookieMatch> cookies) {
    return new RouteConfig.Match(hosts, prefix, regex == null ? null : Pattern.compile(regex), methods, headers,
        cookies);
  }

  /** The brief's example: /video to the video servers, billing to the hardened ones, the rest to app. */
  private final Router router = new Router(TestConfigs.listener("web").defaultPool("app")
      .route(match(List.of(), "/video/", null, List.of(), List.of(), List.of()), "video")
      .route(match(List.of("billing.example.com", "*.billing.example.com"), null, null, List.of(), List.of(),
          List.of()), "billing")
      .route(match(List.of(), null, "^/billing(/|$)", List.of(), List.of(), List.of()), "billing")
      .route(match(List.of(), "/api/", null, List.of("POST", "PUT"), List.of(), List.of()), "writes")
      .route(match(List.of(), null, null, List.of(),
          List.of(new RouteConfig.HeaderMatch("X-Tier", "gold", null)), List.of()), "gold")
      .route(match(List.of(), null, null, List.of(),
          List.of(new RouteConfig.HeaderMatch("X-Canary", null, null)), List.of()), "canary")
      .route(match(List.of(), null, null, List.of(), List.of(),
          List.of(new RouteConfig.CookieMatch("beta", "1"))), "beta")
      .build());

  @Test
  void firstMatchWinsWithDefault() {
    assertEquals("video", router.route(req("GET", "/video/cat.mp4", "www.example.com")));
    assertEquals("app", router.route(req("GET", "/videos", "www.example.com")));
    assertEquals("billing", router.route(req("GET", "/", "billing.example.com")));
    assertEquals("billing", router.route(req("GET", "/", "BILLING.example.com:8443")));
    assertEquals("billing", router.route(req("GET", "/", "eu.billing.example.com")));
    assertEquals("billing", router.route(req("GET", "/billing", "x")));
    assertEquals("billing", router.route(req("GET", "/billing/invoices", "x")));
    assertEquals("app", router.route(req("GET", "/billingx", "x")));
    assertEquals("video", router.route(req("GET", "/video/x", "billing.example.com")));
  }

  @Test
  void methodsHeadersAndCookies() {
    assertEquals("writes", router.route(req("POST", "/api/x", "h")));
    assertEquals("app", router.route(req("GET", "/api/x", "h")));
    assertEquals("gold", router.route(req("GET", "/", "h", "X-Tier", "gold")));
    assertEquals("app", router.route(req("GET", "/", "h", "X-Tier", "silver")));
    assertEquals("canary", router.route(req("GET", "/", "h", "X-Canary", "")));
    assertEquals("beta", router.route(req("GET", "/", "h", "Cookie", "a=2; beta=1")));
    assertEquals("app", router.route(req("GET", "/", "h", "Cookie", "beta=0")));
  }

  @Test
  void hostWithoutPort() {
    assertEquals("example.com", Router.hostWithoutPort("Example.COM:80"));
    assertEquals("example.com", Router.hostWithoutPort("example.com."));
    assertEquals("[::1]", Router.hostWithoutPort("[::1]:8080"));
    assertEquals("", Router.hostWithoutPort(null));
  }

  /** A minimal request: only what the router reads. */
  private static RequestView req(String method, String path, String host, String... headers) {
    MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Host", host);
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return new RequestView() {
      @Override
      public String method() {
        return method;
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public String host() {
        return h.get("host");
      }

      @Override
      public String header(CharSequence name) {
        return h.get(name);
      }

      @Override
      public String sni() {
        return null;
      }
    };
  }
}
