package io.tandem.proxy.tcp;

import io.tandem.testing.NoLeakedBuffers;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/** The TCP proxy suites on four event loops: connections, queues and counters shared across threads. */
class MultiEventLoopTcpProxyTest {
  @Nested
  @ExtendWith(NoLeakedBuffers.class)
  class Stream extends TcpStreamTests {
    @Override
    protected int eventLoops() {
      return 4;
    }
  }

  @Nested
  @ExtendWith(NoLeakedBuffers.class)
  class Limit extends TcpLimitTests {
    @Override
    protected int eventLoops() {
      return 4;
    }
  }

  @Nested
  @ExtendWith(NoLeakedBuffers.class)
  class ClientAddress extends TcpClientAddressTests {
    @Override
    protected int eventLoops() {
      return 4;
    }
  }
}
