package io.tandem.proxy.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.util.Outcome;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.Received;
import io.tandem.testing.TestCerts;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's actions on an HTTPS listener: the same actions over HTTP/2 (the Vert.x front) and HTTP/1.1 (Tandem's own
 * codec), and the mTLS facts (the client certificate's subject as a variable and as an access condition).
 */
class RouteActionsTlsTest extends TlsProxyTestBase {
  static TestCerts.Pair server;
  static TestCerts.Pair client;
  static TestCerts.Pair stranger;
  private FakeBackend main;
  private FakeBackend shadow;

  @BeforeAll
  static void makeCertificates() {
    server = certs.leaf("server", "a.tandem.test");
    client = certs.client("client", "client.tandem.test");
    stranger = certs.client("stranger", "stranger.tandem.test");
  }

  @BeforeEach
  void startNode() throws Exception {
    main = backend("main");
    shadow = backend("shadow");
    main.always(c -> c.respond(200, List.of("Server: app/1.2", "Content-Type: text/plain"),
        Buffer.buffer("main " + c.request().uri() + (c.request().uri().startsWith("/gz/") ? " tandem".repeat(100) : ""))));
    shadow.always(c -> c.respond(200, List.of("Content-Type: text/plain"), Buffer.buffer("shadow " + c.request().uri())));
    String yaml = """
        listeners:
          - name: web
            bind: 127.0.0.1:0
            default-pool: main
            tls:
              certificates: [{cert: %s, key: %s}]
              alpn: [h2, http/1.1]
              client-auth: optional
              client-ca: %s
            routes:
              - match: {path-prefix: /api/}
                pool: main
                actions:
                  - strip-prefix: /api
                  - set-request-header: {name: X-Client-Subject, value: "${client.cert.subject}"}
                  - set-request-header: {name: X-Via, value: "${scheme} ${sni}"}
                  - remove-response-header: Server
                  - add-response-header: {name: X-Served-By, value: tandem}
              - match: {path-prefix: /admin/}
                pool: main
                actions: [{allow: {client-cert-subjects: ["^CN=client\\\\.tandem\\\\.test$"]}}]
              - match: {path-prefix: /old/}
                actions: [{redirect: {status: 302, prefix: /new/}}]
              - match: {path-prefix: /mirror/}
                pool: main
                mirror: {pool: shadow}
                actions: [{strip-prefix: /mirror}]
              - match: {path-prefix: /ping}
                actions: [{return: {status: 200, body: pong}}]
              - match: {path-prefix: /cors/}
                pool: main
                actions: [{cors: {allowed-origins: [https://app.example.com]}}]
              - match: {path-prefix: /gz/}
                pool: main
                actions: [{compress: {min-size: 100}}]
              - match: {path-prefix: /split/}
                split: [{pool: main, weight: 1}, {pool: shadow, weight: 1}]
        pools:
          - name: main
            backends: [{id: m1, address: 127.0.0.1:%d}]
          - name: shadow
            backends: [{id: s1, address: 127.0.0.1:%d}]
        """.formatted(server.cert(), server.key(), certs.caCert(), main.port(), shadow.port());
    startYaml(dir, yaml);
  }

  private HttpClientAgent client(HttpVersion version, TestCerts.Pair cert) {
    HttpClientOptions o = new HttpClientOptions().setProtocolVersion(version).setSsl(true).setUseAlpn(true)
        .setTrustAll(true).setVerifyHost(false).setForceSni(true);
    if (cert != null) {
      o.setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert.cert().toString())
          .setKeyPath(cert.key().toString()));
    }
    return vertx.httpClientBuilder().with(o).build();
  }

  private static HttpClientResponse get(HttpClientAgent c, int port, String path) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1")).setHost("a.tandem.test").setPort(port)
        .setURI(path);
    // The body handler is set in the callback the response arrives in: one set a callback later can miss a response
    // that has already ended, and then waits for ever (1 request in a few thousand).
    return c.request(options).compose(r -> r.send().compose(resp -> resp.body().map(b -> resp)))
        .await(10, TimeUnit.SECONDS);
  }

  @Test
  void headerAndPathActionsApplyOverHttp2AndHttp1() throws Exception {
    for (HttpVersion version : List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1)) {
      HttpClientAgent c = client(version, client);
      HttpClientResponse r = get(c, port(), "/api/users?x=1");
      assertEquals(version, r.version());
      assertEquals(200, r.statusCode());
      assertEquals("tandem", r.getHeader("x-served-by"));
      assertNull(r.getHeader("server"), version + ": Server removed");
      assertEquals("main /users?x=1", r.body().await().toString());
      c.close();
    }
    List<Received> got = main.awaitRequests(2);
    for (Received r : got) {
      assertEquals("/users?x=1", r.uri());
      assertEquals("CN=client.tandem.test", r.header("x-client-subject"));
      assertEquals("https a.tandem.test", r.header("x-via"));
    }
  }

  @Test
  void compressionOverHttp2() throws Exception {
    HttpClientAgent c = client(HttpVersion.HTTP_2, null);
    HttpClientResponse r = c.request(new RequestOptions().setMethod(HttpMethod.GET)
            .setServer(SocketAddress.inetSocketAddress(port(), "127.0.0.1")).setHost("a.tandem.test").setPort(port())
            .setURI("/gz/page").putHeader("accept-encoding", "gzip"))
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp))).await(10, TimeUnit.SECONDS);
    assertEquals(HttpVersion.HTTP_2, r.version());
    assertEquals("gzip", r.getHeader("content-encoding"));
    byte[] gz = r.body().await().getBytes();
    String length = r.getHeader("content-length");
    assertTrue(length == null || Integer.parseInt(length) == gz.length, "the compressed length, if any: " + length);
    try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      assertEquals("main /gz/page" + " tandem".repeat(100), new String(in.readAllBytes(), UTF_8));
    }
    c.close();
  }

  @Test
  void mirrorAndSplitOverHttp2() throws Exception {
    HttpClientAgent c = client(HttpVersion.HTTP_2, null);
    HttpClientResponse r = c.request(new RequestOptions().setMethod(HttpMethod.POST)
            .setServer(SocketAddress.inetSocketAddress(port(), "127.0.0.1")).setHost("a.tandem.test").setPort(port())
            .setURI("/mirror/x?y=1").putHeader("content-length", "4"))
        .compose(req -> req.send(Buffer.buffer("body")).compose(resp -> resp.body().map(b -> resp)))
        .await(10, TimeUnit.SECONDS);
    assertEquals(HttpVersion.HTTP_2, r.version());
    assertEquals("main /x?y=1", r.body().await().toString());
    Received copy = shadow.awaitRequests(1).get(0);
    assertEquals("/x?y=1", copy.uri());
    assertEquals("POST", copy.method());
    assertEquals("body", copy.bodyAsString());
    assertEquals("a.tandem.test:" + port(), copy.header("host"));
    java.util.Set<String> pools = new java.util.HashSet<>();
    for (int i = 0; i < 40; i++) {
      pools.add(get(c, port(), "/split/" + i).body().await().toString().split(" ")[0]);
    }
    assertEquals(java.util.Set.of("main", "shadow"), pools);
    c.close();
  }

  @Test
  void accessByClientCertificateSubjectAndRedirectOverHttp2() throws Exception {
    HttpClientAgent known = client(HttpVersion.HTTP_2, client);
    HttpClientAgent other = client(HttpVersion.HTTP_2, stranger);
    HttpClientAgent none = client(HttpVersion.HTTP_2, null);
    assertEquals(200, get(known, port(), "/admin/x").statusCode());
    assertEquals(403, get(other, port(), "/admin/x").statusCode());
    assertEquals(403, get(none, port(), "/admin/x").statusCode());
    HttpClientResponse moved = get(none, port(), "/old/a?b=1");
    assertEquals(302, moved.statusCode());
    assertEquals("https://a.tandem.test:" + port() + "/new/a?b=1", moved.getHeader("location"));
    assertEquals(2, node.listener("web").count(Outcome.DENIED));
    HttpClientResponse pong = get(none, port(), "/ping");
    assertEquals(200, pong.statusCode());
    assertEquals("pong", pong.body().await().toString());
    HttpClientResponse pre = none.request(new RequestOptions().setMethod(HttpMethod.OPTIONS)
            .setServer(SocketAddress.inetSocketAddress(port(), "127.0.0.1")).setHost("a.tandem.test").setPort(port())
            .setURI("/cors/x").putHeader("origin", "https://app.example.com")
            .putHeader("access-control-request-method", "POST"))
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> resp))).await(10, TimeUnit.SECONDS);
    assertEquals(204, pre.statusCode());
    assertEquals("https://app.example.com", pre.getHeader("access-control-allow-origin"));
    assertEquals(1, node.listener("web").count(Outcome.REDIRECTED));
    assertEquals(1, main.received().size());
    known.close();
    other.close();
    none.close();
  }
}
