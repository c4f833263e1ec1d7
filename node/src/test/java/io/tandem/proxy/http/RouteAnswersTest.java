package io.tandem.proxy.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.testing.Action;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import io.tandem.util.Outcome;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Actions that answer or shape the answer: access rules (with a trusted proxy's client), return, CORS, error pages,
 * compression.
 */
class RouteAnswersTest extends RouteActionsTestBase {
  @Test
  void accessRulesRefuseWith403AndTheirOwnOutcome() throws Exception {
    Files.writeString(dir.resolve("403.html"), "<h1>not from here</h1>");
    startWith("", """
        - match: {path-prefix: /private/}
          pool: main
          actions: [{allow: {sources: [10.0.0.0/8]}}]
        - match: {path-prefix: /office/}
          pool: main
          actions: [{allow: {sources: [127.0.0.0/8, "::1"]}}]
        - match: {path-prefix: /ro/}
          pool: main
          actions: [{deny: {methods: [POST, PUT, DELETE]}}]
          error-pages: {403: 403.html}
        """);
    HttpResponse<String> refused = get("/private/x");
    assertEquals(403, refused.statusCode());
    assertEquals("403 Forbidden (denied)\n", refused.body());
    assertEquals(200, get("/office/x").statusCode(), "loopback is in 127.0.0.0/8");
    assertEquals(200, get("/ro/x").statusCode());
    HttpResponse<String> post = http.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port() + "/ro/x")).POST(
        java.net.http.HttpRequest.BodyPublishers.ofString("data")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(403, post.statusCode());
    assertEquals("<h1>not from here</h1>", post.body());
    assertEquals("text/html; charset=utf-8", post.headers().firstValue("content-type").orElse(null));
    assertEquals(2, node.listener("web").count(Outcome.DENIED));
    assertEquals(2, main.received().size(), "refused requests never reach a backend");
  }

  @Test
  void returnAnswersFromTheConfigurationOrAFile() throws Exception {
    Files.writeString(dir.resolve("status.json"), "{\"ok\":true}");
    startWith("", """
        - match: {path-prefix: /ping}
          actions: [{return: {status: 200, body: "pong\\n"}}]
        - match: {path-prefix: /status}
          actions: [{return: {status: 503, file: status.json}}]
        """);
    HttpResponse<String> pong = get("/ping");
    assertEquals(200, pong.statusCode());
    assertEquals("pong\n", pong.body());
    assertEquals("text/plain; charset=utf-8", pong.headers().firstValue("content-type").orElse(null));
    HttpResponse<String> status = get("/status");
    assertEquals(503, status.statusCode());
    assertEquals("{\"ok\":true}", status.body());
    assertEquals("application/json", status.headers().firstValue("content-type").orElse(null));
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("HEAD /ping HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response head = raw.read(true);
      assertEquals(200, head.status());
      assertEquals("5", head.header("content-length"));
      raw.send("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals("pong\n", raw.read().bodyText(), "the HEAD answer had no body: the next one reads right");
    }
    assertEquals(4, node.listener("web").count(Outcome.RETURNED));
  }

  @Test
  void corsPreflightIsAnsweredHereAndResponsesCarryTheHeaders() throws Exception {
    startWith("", """
        - match: {path-prefix: /api/}
          pool: main
          actions:
            - cors:
                allowed-origins: [https://app.example.com]
                allowed-methods: [GET, POST, PUT]
                allowed-headers: [Content-Type, Authorization]
                exposed-headers: [X-Total]
                allow-credentials: true
                max-age: 1h
        """);
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("OPTIONS /api/x HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\n"
          + "Access-Control-Request-Method: PUT\r\n\r\n");
      RawHttp.Response pre = raw.read();
      assertEquals(204, pre.status());
      assertEquals("https://app.example.com", pre.header("access-control-allow-origin"));
      assertEquals("GET, POST, PUT", pre.header("access-control-allow-methods"));
      assertEquals("Content-Type, Authorization", pre.header("access-control-allow-headers"));
      assertEquals("true", pre.header("access-control-allow-credentials"));
      assertEquals("3600", pre.header("access-control-max-age"));
      assertNull(pre.header("content-length"), "a 204 has no Content-Length");
      raw.send("OPTIONS /api/x HTTP/1.1\r\nHost: x\r\nOrigin: https://evil.example\r\n"
          + "Access-Control-Request-Method: PUT\r\n\r\n");
      assertEquals(403, raw.read().status());
    }
    HttpResponse<String> actual = get("/api/list", "Origin", "https://app.example.com");
    assertEquals("https://app.example.com", actual.headers().firstValue("access-control-allow-origin").orElse(null));
    assertEquals("X-Total", actual.headers().firstValue("access-control-expose-headers").orElse(null));
    assertEquals("Origin", actual.headers().firstValue("vary").orElse(null));
    HttpResponse<String> stranger = get("/api/list", "Origin", "https://evil.example");
    assertTrue(stranger.headers().firstValue("access-control-allow-origin").isEmpty());
    assertEquals(2, main.received().size(), "preflights never reach the backend");
  }

  @Test
  void errorPagesReplaceTandemsOwnAnswers() throws Exception {
    Files.writeString(dir.resolve("503.html"), "<p>down for maintenance</p>");
    Files.writeString(dir.resolve("502.json"), "{\"error\":\"bad gateway\"}");
    canary.stop();
    startWith("""
        error-pages: {503: 503.html, 502: 502.json}
        """, """
        - match: {path-prefix: /gone/}
          pool: canary
          error-pages: {502: 503.html}
        - match: {path-prefix: /json/}
          pool: canary
        """);
    HttpResponse<String> route = get("/gone/x");
    assertEquals(502, route.statusCode());
    assertEquals("<p>down for maintenance</p>", route.body(), "the route's page wins");
    assertEquals("text/html; charset=utf-8", route.headers().firstValue("content-type").orElse(null));
    HttpResponse<String> listener = get("/json/x");
    assertEquals(502, listener.statusCode());
    assertEquals("{\"error\":\"bad gateway\"}", listener.body());
    assertEquals("application/json", listener.headers().firstValue("content-type").orElse(null));
    main.always(Action.respond(200, Map.of(), "fine"));
    assertEquals("fine", get("/other").body(), "a backend's own answers are untouched");
  }

  private static byte[] gunzip(byte[] gz) throws java.io.IOException {
    try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @Test
  void compressionGzipsWhatIsWorthItAndNothingElse() throws Exception {
    String json = "{\"items\": [" + "{\"name\": \"tandem\", \"value\": 42}, ".repeat(200) + "{}]}";
    main.behavior(req -> {
      String type = req.uri().contains("png") ? "image/png" : "application/json";
      List<String> headers = new java.util.ArrayList<>(List.of("Content-Type: " + type, "ETag: \"v1\""));
      int status = 200;
      if (req.uri().contains("encoded")) {
        headers.add("Content-Encoding: br");
      } else if (req.uri().contains("partial")) {
        status = 206;
        headers.add("Content-Range: bytes 0-9/100");
      } else if (req.uri().contains("no-transform")) {
        headers.add("Cache-Control: no-transform");
      }
      String body = req.uri().contains("small") ? "{}" : json;
      int s = status;
      if (req.uri().contains("stream")) {
        return c -> c.respondChunked(200, List.of("Content-Type: application/json"),
            io.vertx.core.buffer.Buffer.buffer(json), 7);
      }
      return c -> c.respond(s, headers, io.vertx.core.buffer.Buffer.buffer(body));
    });
    startWith("", """
        - match: {path-prefix: /c/}
          pool: main
          actions: [{compress: {min-size: 1KiB}}]
        """);
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("GET /c/list HTTP/1.1\r\nHost: x\r\nAccept-Encoding: br, gzip;q=0.8\r\n\r\n");
      RawHttp.Response r = raw.read();
      assertEquals(200, r.status());
      assertEquals("gzip", r.header("content-encoding"));
      assertEquals("chunked", r.header("transfer-encoding"));
      assertNull(r.header("content-length"));
      assertEquals("Accept-Encoding", r.header("vary"));
      assertEquals("W/\"v1\"", r.header("etag"), "the compressed bytes are not the backend's: a weak tag");
      assertEquals(json, new String(gunzip(r.body()), java.nio.charset.StandardCharsets.UTF_8));
      assertTrue(r.body().length < json.length() / 4, "compressed to " + r.body().length);
      raw.send("GET /c/stream HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
      RawHttp.Response streamed = raw.read();
      assertEquals("gzip", streamed.header("content-encoding"), "a chunked answer of no known size is compressed too");
      assertEquals(json, new String(gunzip(streamed.body()), java.nio.charset.StandardCharsets.UTF_8));
      // the connection goes on after the compressed body
      raw.send("GET /c/list HTTP/1.1\r\nHost: x\r\n\r\n");
      RawHttp.Response plain = raw.read();
      assertNull(plain.header("content-encoding"), "no Accept-Encoding: as it came");
      assertEquals(json, plain.bodyText());
    }
    for (String[] c : new String[][] {
        {"/c/list", "gzip;q=0"}, {"/c/small", "gzip"}, {"/c/png", "gzip"}, {"/c/encoded", "gzip"},
        {"/c/partial", "gzip"}, {"/c/no-transform", "gzip"}}) {
      HttpResponse<byte[]> r = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
          "http://127.0.0.1:" + port() + c[0])).header("Accept-Encoding", c[1]).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertTrue(r.headers().firstValue("content-encoding").map(e -> !e.equals("gzip")).orElse(true),
          c[0] + " " + c[1] + " must not be compressed");
    }
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("HEAD /c/list HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n");
      assertNull(raw.read(true).header("content-encoding"), "HEAD is answered as it came");
    }
  }

  @Test
  void aTrustedProxyHeaderNamesTheClientThatAccessRulesAndVariablesSee() throws Exception {
    startWith("""
        proxy-protocol: {accept: true, trusted: [127.0.0.0/8]}
        """, """
        - match: {path-prefix: /private/}
          pool: main
          actions:
            - allow: {sources: [10.0.0.0/8]}
            - set-request-header: {name: X-Client, value: "${client.address}:${client.port}"}
        """);
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("PROXY TCP4 10.1.2.3 127.0.0.1 5555 80\r\nGET /private/x HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, raw.read().status(), "10.1.2.3 is inside 10.0.0.0/8");
      raw.send("GET /private/y HTTP/1.1\r\nHost: x\r\n\r\n");
      assertEquals(200, raw.read().status(), "the header named the client for the whole connection");
    }
    Received got = main.awaitRequests(2).get(0);
    assertEquals("10.1.2.3:5555", got.header("x-client"));
    assertEquals("10.1.2.3", got.header("x-forwarded-for"));
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("GET /private/x HTTP/1.1\r\nHost: x\r\n\r\n");
      assertTrue(raw.closedByPeer(), "a trusted sender must send the header");
    }
    try (RawHttp raw = new RawHttp(port())) {
      raw.send("PROXY TCP4 10.1.2.3 nonsense\r\n");
      assertTrue(raw.closedByPeer());
    }
    await().until(() -> node.listener("web").count(Outcome.PROXY_HEADER_INVALID) == 2);
  }

  @Test
  void aTrustedProxysForwardedForNamesTheClientForAccessRules() throws Exception {
    startWith("""
        client-address: {header: X-Forwarded-For, trusted: [127.0.0.0/8, 192.168.0.0/16]}
        """, """
        - match: {path-prefix: /private/}
          pool: main
          actions:
            - allow: {sources: [10.0.0.0/8]}
            - set-request-header: {name: X-Client, value: "${client.address}"}
        """);
    // the client 10.9.9.9 came through 192.168.1.1 (trusted) to the loopback proxy (trusted): the client is 10.9.9.9
    assertEquals(200, get("/private/a", "X-Forwarded-For", "203.0.113.5, 10.9.9.9, 192.168.1.1").statusCode());
    assertEquals(403, get("/private/b", "X-Forwarded-For", "10.9.9.9, 203.0.113.5").statusCode(),
        "the rightmost untrusted hop is the client; what it claims before it does not count");
    assertEquals(403, get("/private/c").statusCode(), "no header: the peer, loopback");
    Received got = main.awaitRequests(1).get(0);
    assertEquals("10.9.9.9", got.header("x-client"));
    assertEquals("203.0.113.5, 10.9.9.9, 192.168.1.1, 127.0.0.1", got.header("x-forwarded-for"),
        "the hop that connected is appended");
    assertEquals("10.9.9.9", ClientAddress.of(null, "10.9.9.9", "1.2.3.4"), "no setting: the peer");
    assertEquals("127.0.0.1", ClientAddress.of(new io.tandem.config.ClientAddressConfig("X-Forwarded-For",
        List.of(io.tandem.config.Cidr.parse("127.0.0.0/8"))), "127.0.0.1", "garbage"));
    assertEquals("10.0.0.1", ClientAddress.of(new io.tandem.config.ClientAddressConfig("X-Forwarded-For",
        List.of(io.tandem.config.Cidr.parse("0.0.0.0/0"))), "127.0.0.1", "10.0.0.1, 10.0.0.2"),
        "all trusted: the leftmost");
  }
}
