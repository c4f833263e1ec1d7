package io.tandem.proxy.tcp;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.TandemConfig;
import io.tandem.testing.RawBackend;
import io.tandem.testing.TestConfigs;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/** Starts raw backends and a real node with a tcp listener "tcp" on port 0. */
abstract class TcpProxyTestBase {
  protected TandemNode node;
  protected final List<RawBackend> backends = new ArrayList<>();
  protected final List<Socket> clients = new ArrayList<>();

  /** Event loops of the node under test. */
  protected abstract int eventLoops();

  @AfterEach
  void stopAll() throws Exception {
    for (Socket s : clients) {
      s.close();
    }
    if (node != null) {
      node.shutdown(Duration.ofMillis(200)).await(10, TimeUnit.SECONDS);
    }
    backends.forEach(RawBackend::close);
  }

  protected RawBackend backend(RawBackend b) {
    backends.add(b);
    return b;
  }

  /** A TCP listener named "tcp", to be completed by the test. */
  protected static TestConfigs.ListenerBuilder tcp() {
    return TestConfigs.listener("tcp").tcp();
  }

  protected static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  protected TandemNode start(TandemConfig config) throws Exception {
    node = TandemNode.start(config).await(10, TimeUnit.SECONDS);
    return node;
  }

  protected TcpListenerRuntime runtime() {
    return node.tcpListener("tcp");
  }

  /** A client connection to the listener, with a read timeout so that a broken proxy fails the test, not hangs it. */
  protected Socket connect() throws IOException {
    Socket s = new Socket(InetAddress.getLoopbackAddress(), node.port("tcp"));
    s.setSoTimeout(10_000);
    clients.add(s);
    return s;
  }
}
