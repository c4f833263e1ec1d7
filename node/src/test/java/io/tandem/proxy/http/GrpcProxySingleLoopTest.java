package io.tandem.proxy.http;

import org.junit.jupiter.api.Nested;

/** The gRPC suites on a node with one event loop (every stream and backend connection on the same loop). */
class GrpcProxySingleLoopTest {
  @Nested
  class Calls extends GrpcProxyTest {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }

  @Nested
  class Resilience extends GrpcResilienceTest {
    @Override
    protected int eventLoops() {
      return 1;
    }
  }
}
