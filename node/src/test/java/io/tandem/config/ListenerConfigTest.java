package io.tandem.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.RecordComponent;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListenerConfigTest {
  /** Per-node bind overrides rebuild listeners with withBind: a component it forgot would be silently reset. */
  @Test
  void withBindKeepsEveryOtherSetting() throws Exception {
    ListenerConfig listener = ConfigTexts.parses("""
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            default-pool: app
            max-connections: 7
            max-connections-per-client: 3
            trust-forwarded: true
            redirect-to-https: 8443
            h2c: true
            http2: {max-concurrent-streams: 9}
            limits: {max-header-count: 20, underscores-in-headers: true}
            rate-limits: [{name: r, key: source, rate: 5}]
            routes: [{match: {path-prefix: /x}, pool: app}]
        pools: [{name: app, backends: [{address: 127.0.0.1:9001}]}]
        """).listeners().get(0);

    ListenerConfig moved = listener.withBind("10.0.0.1", 80);

    assertEquals("10.0.0.1", moved.host());
    assertEquals(80, moved.port());
    for (RecordComponent c : ListenerConfig.class.getRecordComponents()) {
      if (!Set.of("host", "port").contains(c.getName())) {
        assertEquals(c.getAccessor().invoke(listener), c.getAccessor().invoke(moved), c.getName());
      }
    }
  }

  @Test
  void underscoreHeaderNamesAreDroppedUnlessAllowed() {
    String base = """
        listeners: [{name: web, bind: 127.0.0.1:8080%s}]
        pools: [{name: app, backends: [{address: 127.0.0.1:9001}]}]
        """;
    assertFalse(ConfigTexts.parses(base.formatted("")).listeners().get(0).limits().underscoresInHeaders());
    assertTrue(ConfigTexts.parses(base.formatted(", limits: {underscores-in-headers: true}")).listeners().get(0)
        .limits().underscoresInHeaders());
  }
}
