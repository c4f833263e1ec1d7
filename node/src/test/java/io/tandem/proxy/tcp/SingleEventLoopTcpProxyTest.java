package io.tandem.proxy.tcp;

import io.tandem.testing.NoLeakedBuffers;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

/** The TCP proxy suites on one event loop. */
class SingleEventLoopTcpProxyTest {
  @Nested
  @ExtendWith(NoLeakedBuffers.class)
  class Stream extends TcpStreamTests {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }

  @Nested
  @ExtendWith(NoLeakedBuffers.class)
  class Limit extends TcpLimitTests {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }

  @Nested
  @ExtendWith(NoLeakedBuffers.class)
  class ClientAddress extends TcpClientAddressTests {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }
}
