package io.tandem.proxy.http;

/** {@link GrpcProxyTest} on a node with one event loop (every stream and backend connection on the same loop). */
class GrpcProxySingleLoopTest extends GrpcProxyTest {
  @Override
  protected int eventLoops() {
    return 1;
  }
}
