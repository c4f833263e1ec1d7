package io.tandem.ctl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.bootstrap.TandemNode;
import io.tandem.config.AdminConfig;
import io.tandem.testing.FakeBackend;
import io.tandem.testing.TestConfigs;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code tandem ctl} against a real node's admin API (standalone, pool "app" with b1 and b2). */
class CtlAgainstNodeTest {
  private static final String TOKEN = "ctl-test-token-0123456789";

  private final Vertx vertx = Vertx.vertx();
  private FakeBackend b1;
  private FakeBackend b2;
  private TandemNode node;

  @BeforeEach
  void start() throws Exception {
    b1 = FakeBackend.start(vertx, "b1");
    b2 = FakeBackend.start(vertx, "b2");
    TestConfigs.PoolBuilder pool = TestConfigs.pool("app").backend("b1", b1.port()).backend("b2", b2.port());
    node = TandemNode.start(TestConfigs.config(1, TestConfigs.listener("web"), pool)
        .withAdmin(AdminConfig.listen("127.0.0.1", 0, TOKEN))).await(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    node.shutdown(Duration.ZERO).await(30, TimeUnit.SECONDS);
    b1.close();
    b2.close();
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private CtlCommandTest.Run ctl(String... args) {
    String[] all = new String[args.length + 2];
    all[0] = "--admin";
    all[1] = "127.0.0.1:" + node.adminPort();
    System.arraycopy(args, 0, all, 2, args.length);
    return CtlCommandTest.run(Map.of(CtlCommand.TOKEN_ENV, TOKEN), all);
  }

  @Test
  void readsChangesAndRefusalsAgainstARealAdminApi() {
    CtlCommandTest.Run status = ctl("status");
    assertEquals(0, status.code(), status.err());
    assertTrue(status.out().contains("\nno VIPs\n"), status.out());

    CtlCommandTest.Run pools = ctl("pools");
    assertEquals(0, pools.code(), pools.err());
    assertTrue(pools.out().contains("\napp   round-robin  -                   2"), pools.out());

    assertEquals(new CtlCommandTest.Run(0, "app/b1: draining, weight 1 (version 1, applied on local)\n", ""),
        ctl("drain", "app", "b1"));
    CtlCommandTest.Run backends = ctl("backends", "app");
    assertTrue(backends.out().startsWith("pool app  algorithm round-robin  persistence -\n"), backends.out());
    assertTrue(backends.out().contains("\nb1       127.0.0.1:" + b1.port() + "  pending  -           draining"),
        backends.out());

    assertEquals(new CtlCommandTest.Run(2, "", "tandem ctl: weight must be between 1 and 256, got 999 (field weight)"
        + " (HTTP 400)\n"), ctl("weight", "app", "b1", "999"));
    assertEquals(new CtlCommandTest.Run(2, "", "tandem ctl: wrong bearer token (HTTP 401)\n"),
        ctl("--token", "guess", "enable", "app", "b1"));
    assertEquals(new CtlCommandTest.Run(2, "", "tandem ctl: no binding for key \"nobody\" in pool \"app\" (HTTP 404)\n"),
        ctl("session", "app", "nobody"));
  }

  @Test
  void reloadRefusedByANodeShowsWhy() {
    // started from a configuration built in code, the node has no file to re-read
    assertEquals(new CtlCommandTest.Run(2, """
        NODE   RESULT
        local  FAILED
        local: this node was started without a configuration source
        """, "tandem ctl: the configuration was refused by local (HTTP 422)\n"), ctl("reload"));
  }
}
