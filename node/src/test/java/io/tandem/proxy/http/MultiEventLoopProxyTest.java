package io.tandem.proxy.http;

/** The proxy suite on four event loops: connections, queues and counters shared across threads. */
class MultiEventLoopProxyTest extends ProxyBehaviourTests {
  @Override
  protected int eventLoops() {
    return 4;
  }
}
