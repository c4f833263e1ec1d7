package io.tandem.cluster.hazelcast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.ConfigFingerprint;
import io.tandem.config.Algorithm;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.TandemConfig;
import io.tandem.testing.HzTestNodes;
import io.tandem.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigFingerprintTest {
  private static final HzTestNodes NODES = new HzTestNodes(0, 1);

  @Test
  void equalForTheSameSharedSettingsWhateverTheOrder() {
    ConfigFingerprint a = ConfigFingerprint.of(config("n1",
        TestConfigs.pool("web").backend("b1", 9001).backend("b2", 9002), TestConfigs.pool("api").backend("a1", 9101)));
    ConfigFingerprint b = ConfigFingerprint.of(config("n2",
        TestConfigs.pool("api").backend("a1", 9101), TestConfigs.pool("web").backend("b2", 9002).backend("b1", 9001)
            .backend("b1", 9001).retries(1, true)));
    assertEquals(a.sha256(), b.sha256(), "node id, order and per-node settings do not matter");
    assertEquals(64, a.sha256().length());
    assertEquals(a.sha256(), ConfigFingerprint.parse(a.summary()).sha256());
    assertEquals(List.of(), ConfigFingerprint.mismatches("n1", a, "n2", b));
  }

  @Test
  void mismatchesNameEachDifferingField() {
    ConfigFingerprint n1 = ConfigFingerprint.of(config("n1", TestConfigs.pool("web").backend("b1", 9001)));
    ConfigFingerprint n3 = ConfigFingerprint.of(config("n3",
        TestConfigs.pool("web").algorithm(Algorithm.LEAST_CONNECTIONS).backend("b1", 9011).backend("b4", 9004)));
    assertNotEquals(n1.sha256(), n3.sha256());
    assertEquals(List.of(
        "pools[web].algorithm: n1 has ROUND_ROBIN, n3 has LEAST_CONNECTIONS",
        "pools[web].backends: n1 has [b1], n3 has [b1, b4]",
        "pools[web].backends[b1]: n1 has 127.0.0.1:9001, n3 has 127.0.0.1:9011",
        "pools[web].backends[b4]: n1 has nothing, n3 has 127.0.0.1:9004"),
        ConfigFingerprint.mismatches("n1", n1, "n3", n3));
  }

  @Test
  void aCookieSecretIsComparedByDigestAndNeverShown() {
    ConfigFingerprint one = ConfigFingerprint.of(config("n1", TestConfigs.pool("web").backend("b1", 9001)
        .persistence(cookie("s3cret-one"))));
    ConfigFingerprint two = ConfigFingerprint.of(config("n2", TestConfigs.pool("web").backend("b1", 9001)
        .persistence(cookie("s3cret-two"))));
    assertFalse(one.summary().contains("s3cret"));
    List<String> diff = ConfigFingerprint.mismatches("n1", one, "n2", two);
    assertEquals(1, diff.size());
    assertTrue(diff.get(0).startsWith("pools[web].persistence: n1 has COOKIE name=TANDEM path=/ maxAge=null"
        + " secure=false httpOnly=true sameSite=LAX secret="), diff.get(0));
  }

  private static PersistenceConfig cookie(String secret) {
    return new PersistenceConfig(PersistenceConfig.Type.COOKIE, new PersistenceConfig.Cookie("TANDEM", "/", null,
        false, true, PersistenceConfig.SameSite.LAX, secret), Duration.ofMinutes(30));
  }

  private static TandemConfig config(String nodeId, TestConfigs.PoolBuilder... pools) {
    return NODES.config("c", nodeId, List.of(HzTestNodes.entry(nodeId)), pools);
  }
}
