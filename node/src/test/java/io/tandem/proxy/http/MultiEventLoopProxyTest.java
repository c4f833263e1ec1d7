package io.tandem.proxy.http;

import org.junit.jupiter.api.Nested;

/** The proxy suites on four event loops: connections, queues and counters shared across threads. */
class MultiEventLoopProxyTest {
  @Nested
  class Forwarding extends ProxyForwardingTests {
    @Override
    protected int eventLoops() {
      return 4;
    }
  }

  @Nested
  class Failure extends ProxyFailureTests {
    @Override
    protected int eventLoops() {
      return 4;
    }
  }

  @Nested
  class BadRequest extends ProxyBadRequestTests {
    @Override
    protected int eventLoops() {
      return 4;
    }
  }

  @Nested
  class Persistence extends ProxyPersistenceTests {
    @Override
    protected int eventLoops() {
      return 4;
    }
  }
}
