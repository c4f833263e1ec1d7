package io.tandem.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class QuicServerIdsTest {
  @Test
  void aTrailingOrdinalGivesOrdinalPlusOne() {
    assertEquals(1, QuicServerIds.of("tandem-0"));
    assertEquals(2, QuicServerIds.of("tandem-1"));
    assertEquals(32767, QuicServerIds.of("web-32766"));
  }

  @Test
  void anyOtherIdHashesStablyAboveTheOrdinals() {
    for (String id : new String[] {"tandem-abc12", "node", "tandem-32767", "x-99999", "tandem-7f9c-"}) {
      int serverId = QuicServerIds.of(id);
      assertTrue(serverId > QuicServerIds.ORDINALS && serverId <= 65535, id + " -> " + serverId);
      assertEquals(serverId, QuicServerIds.of(id), "the same on every node");
    }
  }
}
