package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.util.List;
import org.junit.jupiter.api.Test;

class PoolConfigTest {
  /** Runtime adds and removes rebuild pools with withBackends: a component it forgot would be silently reset. */
  @Test
  void withBackendsKeepsEveryOtherSetting() throws Exception {
    PoolConfig pool = ConfigTexts.parses("""
        listeners: [{name: l, bind: 127.0.0.1:8080, protocol: tcp, pool: p}]
        pools:
          - name: p
            proxy-protocol: v2
            connection-pool-size: 7
            backends: [{address: 127.0.0.1:9001}]
        """).pools().get(0);
    List<BackendConfig> others = List.of(new BackendConfig("x", "127.0.0.1", 9002, 3, 4));

    PoolConfig changed = pool.withBackends(others);

    assertEquals(others, changed.backends());
    for (RecordComponent c : PoolConfig.class.getRecordComponents()) {
      if (!c.getName().equals("backends")) {
        assertEquals(c.getAccessor().invoke(pool), c.getAccessor().invoke(changed), c.getName());
      }
    }
  }
}
