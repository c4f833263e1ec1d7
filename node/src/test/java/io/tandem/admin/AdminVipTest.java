package io.tandem.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.ConfigLoader;
import io.tandem.testing.AdminClient;
import io.tandem.testing.AdminFixture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node whose VIP cannot be held (its interface does not exist): it still serves, and /api/v1/cluster shows the VIP,
 * that nobody holds it, and why. No address is ever added anywhere (the interface is missing).
 */
class AdminVipTest {
  private TandemNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void clusterShowsEachVipItsHolderAndWhyItCannotBeHeld() throws Exception {
    node = TandemNode.start(ConfigLoader.parse("""
        admin: {listen: 127.0.0.1:0, token: %s}
        listeners: [{name: web, bind: 127.0.0.1:0, default-pool: app}]
        pools: [{name: app, backends: [{id: b1, address: 127.0.0.1:9}]}]
        vips:
          groups:
            - name: front
              mode: active-passive
              interface: tandem-nosuch0
              addresses: [{address: 198.51.100.7/32}]
        """.formatted(AdminFixture.TOKEN), "tandem.yaml")).await(30, TimeUnit.SECONDS);
    AdminClient admin = new AdminClient(node.adminPort(), AdminFixture.TOKEN);

    JsonObject cluster = admin.get("/api/v1/cluster").json();

    JsonArray vips = cluster.getJsonArray("vips");
    assertEquals(1, vips.size(), cluster.encodePrettily());
    JsonObject vip = vips.getJsonObject(0);
    assertEquals("198.51.100.7/32", vip.getString("address"));
    assertEquals("tandem-nosuch0", vip.getString("interface"));
    assertEquals("front", vip.getString("group"));
    assertEquals("active-passive", vip.getString("mode"));
    assertFalse(vip.getBoolean("heldHere"), cluster.encodePrettily());
    JsonArray problems = cluster.getJsonObject("vipProblems").getJsonArray("local");
    assertTrue(problems != null && !problems.isEmpty(), cluster.encodePrettily());
    // Why it cannot be held: the missing interface, missing capabilities, or (a machine without iputils-arping) the
    // missing command, whichever the node finds first.
    String why = problems.getString(0);
    assertTrue(why.contains("tandem-nosuch0") || why.contains("CAP_NET") || why.matches("command \\S+ not found.*"),
        why);
    assertTrue(node.port("web") > 0);
  }
}
