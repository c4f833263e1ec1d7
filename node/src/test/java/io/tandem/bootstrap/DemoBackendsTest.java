package io.tandem.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DemoBackendsTest {
  private final Vertx vertx = Vertx.vertx();
  private final HttpClient client = vertx.createHttpClient();

  @AfterEach
  void tearDown() throws Exception {
    Launcher.await(vertx.close());
  }

  /**
   * "STATUS X-Backend-header\nBODY". The body is asked for inside send()'s callback: this thread is not a Vert.x
   * one, and a separate compose step could run after the response had already ended, leaving body() pending forever.
   */
  private String get(int port, String path, MultiMap headers) throws Exception {
    return Launcher.await(client.request(HttpMethod.POST, port, DemoBackends.HOST, path)
        .compose(request -> {
          request.headers().addAll(headers);
          return request.send().compose(response -> response.body()
              .map(body -> response.statusCode() + " " + response.getHeader("X-Backend") + "\n" + body));
        }));
  }

  @Test
  void eachBackendSaysWhoAnsweredAndWhatItReceived() throws Exception {
    DemoBackends backends = Launcher.await(DemoBackends.start(vertx, List.of(0, 0, 0)));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Host", "billing.example.com").add("X-Forwarded-For", "10.1.2.3").add("X-Request-Id", "req-42");

    for (int i = 0; i < 3; i++) {
      String name = DemoBackends.NAMES.get(i);
      assertEquals("200 " + name + "\n"
              + "Hello from backend " + name + "\n"
              + "POST /video/x?q=1\n"
              + "Host: billing.example.com\n"
              + "X-Forwarded-For: 10.1.2.3\n"
              + "X-Request-Id: req-42\n",
          get(backends.port(i), "/video/x?q=1", headers));
    }
  }

  @Test
  void missingHeadersShowAsNoneAndHealthIsOk() throws Exception {
    DemoBackends backends = Launcher.await(DemoBackends.start(vertx, List.of(0, 0, 0)));
    MultiMap noHeaders = MultiMap.caseInsensitiveMultiMap();

    String page = get(backends.port(1), "/", noHeaders);
    assertEquals(List.of("200 b2", "Hello from backend b2", "POST /",
            "Host: " + DemoBackends.HOST + ":" + backends.port(1), "X-Forwarded-For: (none)", "X-Request-Id: (none)"),
        page.lines().toList());
    assertEquals("200 b3\nok\n", get(backends.port(2), "/health", noHeaders));
  }

  @Test
  void loginSetsAFreshApplicationSessionCookie() throws Exception {
    DemoBackends backends = Launcher.await(DemoBackends.start(vertx, List.of(0, 0, 0)));

    List<String> cookies = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      cookies.add(Launcher.await(client.request(HttpMethod.GET, backends.port(0), DemoBackends.HOST, "/login")
          .compose(request -> request.send()
              .compose(response -> response.end().map(read -> response.getHeader("Set-Cookie"))))));
    }

    for (String cookie : cookies) {
      assertTrue(cookie.matches("JSESSIONID=[0-9a-f]{16}; Path=/"), cookie);
    }
    assertNotEquals(cookies.get(0), cookies.get(1));
    String page = get(backends.port(0), "/login", MultiMap.caseInsensitiveMultiMap());
    assertTrue(page.startsWith("200 b1\nHello from backend b1\nPOST /login\n"), page);
  }

  @Test
  void aTakenPortFailsNamingTheBackendAndAddress() throws Exception {
    HttpServer squatter = Launcher.await(vertx.createHttpServer().requestHandler(r -> r.response().end())
        .listen(0, DemoBackends.HOST));
    int taken = squatter.actualPort();

    Future<DemoBackends> start = DemoBackends.start(vertx, List.of(0, taken, 0));

    Exception e = assertThrows(Exception.class, () -> Launcher.await(start));
    assertEquals("demo backend b2 cannot bind 127.0.0.1:" + taken + ": Address already in use", e.getMessage());
  }
}
