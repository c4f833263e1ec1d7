package io.tandem.proxy.http;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tandem.config.NodeSettings;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.RawHttp;
import io.tandem.testing.Received;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The HTTP/1.1 path on every socket transport ({@code node.transport}): the backend connections take the client
 * connection's channel class, so each transport must carry a keep-alive exchange with a body both ways.
 */
class TransportTest extends ProxyTestBase {
  @Override
  protected int eventLoops() {
    return 2;
  }

  @ParameterizedTest
  @EnumSource(NodeSettings.Transport.class)
  void forwardsOnEveryTransport(NodeSettings.Transport transport) throws Exception {
    if (transport == NodeSettings.Transport.IO_URING) {
      assumeTrue(io.vertx.core.transport.Transport.IO_URING != null
          && io.vertx.core.transport.Transport.IO_URING.available(),
          "io_uring is not available here (Linux 5.14+ with io_uring allowed): "
              + (io.vertx.core.transport.Transport.IO_URING == null ? "no classes"
              : io.vertx.core.transport.Transport.IO_URING.unavailabilityCause()));
    }
    FakeBackend b = backend("b1");
    start(config(new NodeSettings(2, Duration.ofSeconds(1), transport), listener("web"),
        pool("app").backend("b1", b.port())));
    try (RawHttp c = new RawHttp(port())) {
      for (int i = 0; i < 3; i++) {
        RawHttp.Response r = c.send("POST /t" + i + " HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello").read();
        assertEquals(200, r.status());
        assertTrue(r.bodyText().contains("b1"), r.bodyText());
      }
    }
    Received got = b.awaitRequests(3).get(2);
    assertEquals("/t2", got.uri());
    assertEquals("hello", got.bodyAsString());
    assertEquals(1, b.connectionCount(), "one kept-alive backend connection carried all three");
  }
}
