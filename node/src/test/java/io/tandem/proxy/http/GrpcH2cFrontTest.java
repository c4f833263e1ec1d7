package io.tandem.proxy.http;

import org.junit.jupiter.api.Nested;

/**
 * The gRPC suites with gRPC clients in clear text: an h2c listener (HTTP/2 with prior knowledge on the own
 * socket) in front.
 */
class GrpcH2cFrontTest {
  @Nested
  class Calls extends GrpcProxyTest {
    @Override
    protected boolean h2cFront() {
      return true;
    }
  }

  @Nested
  class Resilience extends GrpcResilienceTest {
    @Override
    protected boolean h2cFront() {
      return true;
    }
  }
}
