package io.tandem.proxy.tcp;

import io.tandem.testing.NoLeakedBuffers;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeakedBuffers.class)
class MultiEventLoopTcpProxyTest extends TcpProxyBehaviourTests {
  @Override
  protected int eventLoops() {
    return 4;
  }
}
