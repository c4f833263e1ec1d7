package io.tandem.proxy.http;

/** The proxy suite on one event loop: every connection and backend call on one thread. */
class SingleEventLoopProxyTest extends ProxyBehaviourTests {
  @Override
  protected int eventLoops() {
    return 1;
  }
}
