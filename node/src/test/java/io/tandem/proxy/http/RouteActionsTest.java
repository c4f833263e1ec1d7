package io.tandem.proxy.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.LogCapture;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import io.tandem.util.Outcome;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Actions that change what the backend is sent: prefixes, rewrites, headers, Host, redirects, listener actions, the
 * access log.
 */
class RouteActionsTest extends RouteActionsTestBase {
  @Test
  void stripPrefixAndHeaderActionsReachTheBackendAndTheClient() throws Exception {
    startWith("", """
        - match: {path-prefix: /api/}
          pool: main
          actions:
            - strip-prefix: /api
            - set-request-header: {name: X-Client-Addr, value: "${client.address}"}
            - add-request-header: {name: X-Route, value: "${route}/${pool} via ${scheme}"}
            - remove-request-header: X-Secret
            - add-response-header: {name: X-Served-By, value: tandem}
            - remove-response-header: Server
            - remove-response-header: X-Powered-By
          name: api
        """);
    HttpResponse<String> r = get("/api/users?x=1", "X-Secret", "hunter2", "X-Client-Addr", "spoofed");

    assertEquals(200, r.statusCode());
    assertEquals("from main /users?x=1", r.body());
    assertEquals("tandem", r.headers().firstValue("x-served-by").orElse(null));
    assertTrue(r.headers().firstValue("server").isEmpty(), r.headers().toString());
    assertTrue(r.headers().firstValue("x-powered-by").isEmpty());
    Received got = main.awaitRequests(1).get(0);
    assertEquals("/users?x=1", got.uri());
    assertEquals(List.of("127.0.0.1"), got.headerValues("x-client-addr"), "set replaces the client's own");
    assertEquals("api/main via http", got.header("x-route"));
    assertNull(got.header("x-secret"));
    assertEquals("127.0.0.1:" + port(), got.header("host"), "Host stays the client's");
  }

  @Test
  void theAccessLogKeepsTheClientsUriAndTheForwardedOne() throws Exception {
    startWith("", """
        - match: {path-prefix: /api/}
          pool: main
          actions: [{strip-prefix: /api}]
        """);
    try (LogCapture log = LogCapture.of("tandem.access")) {
      assertEquals(200, get("/api/v1?q=2").statusCode());
      await().until(() -> !log.lines().isEmpty());
      String line = log.lines().get(0);
      assertTrue(line.contains("uri=\"/api/v1?q=2\""), line);
      assertTrue(line.contains("forwarded_uri=\"/v1?q=2\""), line);
    }
  }

  @Test
  void replacePrefixRegexRewriteAndSetHost() throws Exception {
    startWith("", """
        - match: {path-prefix: /v1/}
          pool: main
          actions: [{replace-prefix: /internal/v2/}]
        - match: {path-prefix: /users/}
          pool: main
          actions:
            - regex-rewrite: {pattern: "^/users/([0-9]+)/posts/([0-9]+)$", replacement: "/posts/$2?user=$1"}
            - set-host: api.internal
        """);
    assertEquals("from main /internal/v2/items?a=b", get("/v1/items?a=b").body());
    get("/users/7/posts/42");
    Received got = main.awaitRequests(2).get(1);
    assertEquals("/posts/42?user=7", got.uri());
    assertEquals("api.internal", got.header("host"));
    assertEquals("127.0.0.1:" + port(), got.header("x-forwarded-host"), "the client's host stays visible");
  }

  @Test
  void redirectsReplaceWhatTheyNameAndKeepTheRest() throws Exception {
    startWith("", """
        - match: {path-prefix: /old/}
          actions: [{redirect: {status: 301, prefix: /new/}}]
        - match: {path-prefix: /moved}
          actions: [{redirect: {status: 308, scheme: https, host: www.example.com, path: /here, query: drop}}]
        """);
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("GET /old/a/b?q=1 HTTP/1.1\r\nHost: shop.test:8080\r\n\r\n");
      RawHttp.Response r = raw.read();
      assertEquals(301, r.status());
      assertEquals("http://shop.test:8080/new/a/b?q=1", r.header("location"));
      assertEquals("0", r.header("content-length"));
      raw.send("GET /moved?x=1 HTTP/1.1\r\nHost: shop.test\r\n\r\n");
      RawHttp.Response moved = raw.read();
      assertEquals(308, moved.status());
      assertEquals("https://www.example.com/here", moved.header("location"));
    }
    assertEquals(List.of(), main.received(), "no backend is asked");
    assertEquals(2, node.listener("web").count(Outcome.REDIRECTED));
  }

  @Test
  void listenerActionsRunFirstForEveryRoute() throws Exception {
    startWith("""
        actions:
          - remove-response-header: Server
          - set-request-header: {name: X-Edge, value: "${request.id}"}
        """, """
        - match: {path-prefix: /a/}
          pool: main
          actions: [{add-response-header: {name: X-Route, value: a}}]
        """);
    HttpResponse<String> a = get("/a/1");
    HttpResponse<String> other = get("/b/1");
    assertEquals("a", a.headers().firstValue("x-route").orElse(null));
    assertTrue(a.headers().firstValue("server").isEmpty());
    assertTrue(other.headers().firstValue("server").isEmpty(), "the default route has the listener's actions");
    List<Received> got = main.awaitRequests(2);
    for (Received r : got) {
      assertEquals(r.header("x-request-id"), r.header("x-edge"));
    }
  }

  @Test
  void aPoolsHostHeaderReplacesTheClientsUnlessTheRouteSetsOne() throws Exception {
    startYaml(dir, """
        listeners:
          - name: web
            bind: 127.0.0.1:0
            default-pool: canary
            routes:
              - match: {path-prefix: /own/}
                pool: canary
                actions: [{set-host: route.internal}]
        pools:
          - name: canary
            host-header: canary.internal:8080
            backends: [{id: c1, address: 127.0.0.1:%d}]
        """.formatted(canary.port()));
    get("/x");
    get("/own/x");
    List<Received> got = canary.awaitRequests(2);
    assertEquals("canary.internal:8080", got.get(0).header("host"));
    assertEquals("127.0.0.1:" + port(), got.get(0).header("x-forwarded-host"));
    assertEquals(List.of("route.internal"), got.get(1).headerValues("host"), "the route's set-host wins");
  }
}
