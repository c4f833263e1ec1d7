package io.tandem.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tandem.bootstrap.TandemNode;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void proxiesToBackend() throws Exception {
    Vertx v = Vertx.vertx();
    HttpServer backend = v.createHttpServer().requestHandler(r -> r.response().end("hi " + r.headers().get("x-forwarded-for")))
        .listen(0, "127.0.0.1").await(5, TimeUnit.SECONDS);
    TandemNode node = TandemNode.start(TestConfigs.config(2, TestConfigs.listener("web"),
        TestConfigs.pool("app").backend("b1", backend.actualPort()))).await(10, TimeUnit.SECONDS);
    try {
      HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      for (int i = 0; i < 5; i++) {
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port("web") + "/x")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hi 127.0.0.1", r.body());
      }
    } finally {
      node.shutdown(Duration.ofSeconds(1)).await(10, TimeUnit.SECONDS);
      v.close();
    }
  }
}
