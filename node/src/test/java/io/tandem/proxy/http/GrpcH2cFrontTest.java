package io.tandem.proxy.http;

/**
 * {@link GrpcProxyTest} with gRPC clients in clear text: an h2c listener (HTTP/2 with prior knowledge on the own
 * socket) in front.
 */
class GrpcH2cFrontTest extends GrpcProxyTest {
  @Override
  protected boolean h2cFront() {
    return true;
  }
}
