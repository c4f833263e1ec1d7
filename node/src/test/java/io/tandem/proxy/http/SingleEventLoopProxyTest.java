package io.tandem.proxy.http;

import org.junit.jupiter.api.Nested;

/** The proxy suites on one event loop: every connection and backend call on one thread. */
class SingleEventLoopProxyTest {
  @Nested
  class Forwarding extends ProxyForwardingTests {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }

  @Nested
  class Failure extends ProxyFailureTests {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }

  @Nested
  class BadRequest extends ProxyBadRequestTests {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }

  @Nested
  class Persistence extends ProxyPersistenceTests {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }
}
