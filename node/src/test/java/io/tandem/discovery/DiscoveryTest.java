package io.tandem.discovery;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DnsRecordType;
import io.tandem.cluster.BackendChange;
import io.tandem.cluster.DiscoveredSet;
import io.tandem.cluster.LocalSharedState;
import io.tandem.config.DiscoverConfig;
import io.tandem.config.DnsConfig;
import io.tandem.config.PoolConfig;
import io.tandem.dns.DnsLookup;
import io.tandem.testing.FakeDns;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.testing.NoLeakedBuffers;
import io.tandem.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One node following a discover entry against a real DNS server on loopback, with time moved by hand: when it asks
 * (TTL within min and max interval, back-off after failures) and what it publishes.
 */
@ExtendWith(NoLeakedBuffers.class)
class DiscoveryTest {
  private static final String NAME = "web.tandem.test";
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ExecutorService control = Executors.newSingleThreadExecutor(r -> new Thread(r, "control"));
  private final ManualClock clock = new ManualClock();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final LocalSharedState shared = new LocalSharedState("n1", clock);
  private FakeDns dns;
  private DnsLookup lookup;
  private Discovery discovery;

  @BeforeEach
  void start() throws Exception {
    dns = new FakeDns();
    lookup = DnsLookup.create(new DnsConfig(List.of(dns.address()), Duration.ofMillis(300), Duration.ofSeconds(1),
        Duration.ofSeconds(5), Duration.ofSeconds(2)), group.next(), NioDatagramChannel::new);
    discovery = new Discovery(lookup::lookup, shared.runtime(), shared.membership(), "n1",
        () -> clock.nanoTime() / 1_000_000 + 1_000_000, scheduler, control);
  }

  @AfterEach
  void stop() throws Exception {
    control.submit(discovery::close).get(5, TimeUnit.SECONDS);
    control.shutdown();
    lookup.close();
    dns.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  private static PoolConfig pool(DiscoverConfig... entries) {
    PoolConfig p = TestConfigs.pool("web").build();
    return new PoolConfig(p.name(), p.algorithm(), p.hashKey(), List.of(), p.health(), p.queue(), p.persistence(),
        p.retries(), p.timeouts(), p.connectionPoolSize(), p.proxyProtocol(), p.tls(), p.slowStart(),
        p.circuitBreaker(), p.retryBudget(), p.hostHeader(), p.protocol(), p.http2(), List.of(entries));
  }

  private static DiscoverConfig entry(Duration min, Duration max, Duration grace) {
    return new DiscoverConfig(DiscoverConfig.Type.IPV4, NAME, 8080, 1, 0, min, max, grace);
  }

  private void apply(PoolConfig pool) throws Exception {
    control.submit(() -> discovery.apply(List.of(pool))).get(5, TimeUnit.SECONDS);
  }

  /** Moves time on by {@code d} and fires the timers due, on the control thread. */
  private void advance(Duration d) throws Exception {
    control.submit(() -> scheduler.advance(d)).get(5, TimeUnit.SECONDS);
  }

  private DiscoveredSet published(DiscoverConfig e) {
    BackendChange c = shared.runtime().current().get(BackendChange.discoveredKey("web", e.key()));
    return c == null ? null : c.discovered();
  }

  private List<String> ids(DiscoverConfig e) {
    DiscoveredSet s = published(e);
    return s == null ? List.of() : s.backends().stream().map(b -> b.id() + (b.leaving() ? " leaving" : "")).toList();
  }

  private int asked() {
    return dns.queries(NAME, DnsRecordType.A);
  }

  /** Waits for the question just asked to be answered and its outcome taken in. */
  private void awaitAnswered(int questions) {
    await().atMost(Duration.ofSeconds(10)).until(() -> asked() >= questions && scheduler.pending() > 0);
  }

  /** Asserts that the next question comes exactly {@code after} from now: not a millisecond sooner. */
  private void askedAgainAfter(Duration after, String why) throws Exception {
    int before = asked();
    advance(after.minusMillis(1));
    assertEquals(before, asked(), why + ": not asked before " + after.toMillis() + " ms");
    advance(Duration.ofMillis(1));
    awaitAnswered(before + 1);
  }

  @Test
  void theNameIsAskedAgainOnItsTtlBoundedByMinAndMaxInterval() throws Exception {
    DiscoverConfig e = entry(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(30));
    dns.a(NAME, 60, "10.0.0.1");
    apply(pool(e));
    awaitAnswered(1);
    assertEquals(List.of("10.0.0.1:8080"), ids(e));

    askedAgainAfter(Duration.ofSeconds(10), "a 60 s TTL is cut to the 10 s max-interval");

    dns.a(NAME, 0, "10.0.0.1");   // TTL 0: asked again after min-interval
    askedAgainAfter(Duration.ofSeconds(10), "the answer before had a 60 s TTL");
    askedAgainAfter(Duration.ofSeconds(2), "a 0 s TTL is raised to the 2 s min-interval");

    dns.a(NAME, 4, "10.0.0.1");
    askedAgainAfter(Duration.ofSeconds(2), "the answer before had a 0 s TTL");
    askedAgainAfter(Duration.ofSeconds(4), "a TTL within the bounds is taken as it is");
    assertEquals(1, published(e) == null ? 0 : 1);
    assertEquals(1, shared.runtime().version(), "the same answer is not published again");
  }

  @Test
  void failuresKeepTheLastGoodSetAndBackOffUpToTheMaxInterval() throws Exception {
    DiscoverConfig e = entry(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30));
    dns.a(NAME, 1, "10.0.0.1", "10.0.0.2");
    apply(pool(e));
    awaitAnswered(1);
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), ids(e));

    dns.fail(NAME, FakeDns.Fault.SERVFAIL);
    advance(Duration.ofSeconds(1));
    awaitAnswered(2);
    await().until(() -> published(e).status() == DiscoveredSet.Status.FAILED);
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), ids(e), "the last good set stays");
    assertTrue(published(e).error().contains("SERVFAIL"), published(e).error());
    long failedVersion = shared.runtime().version();

    // Back-off: 1 s after the first failure, then 2 s, 4 s, and 5 s (the max) from then on.
    for (int seconds : new int[] {1, 2, 4, 5, 5}) {
      askedAgainAfter(Duration.ofSeconds(seconds), "backing off");
    }
    assertEquals(failedVersion, shared.runtime().version(), "the same failure is not published again");

    dns.heal().a(NAME, 1);   // the name now exists without records: an empty answer, also kept
    advance(Duration.ofSeconds(5));
    await().until(() -> published(e).status() == DiscoveredSet.Status.EMPTY);
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), ids(e));

    dns.a(NAME, 1, "10.0.0.2");
    advance(Duration.ofSeconds(5));
    await().until(() -> published(e).status() == DiscoveredSet.Status.OK);
    assertEquals(List.of("10.0.0.1:8080 leaving", "10.0.0.2:8080"), ids(e));
    Discovery.Status status = discovery.status().get(0);
    assertEquals(0, status.failures());
    assertTrue(status.resolving());
    assertEquals(2, status.resolutionsOk());
    assertEquals(6, status.resolutionsFailed());
    assertEquals(1, status.resolutionsEmpty());
  }

  @Test
  void aLeavingBackendIsRemovedWhenItsGraceEndsEvenIfTheTtlIsLonger() throws Exception {
    DiscoverConfig e = entry(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(3));
    dns.a(NAME, 60, "10.0.0.1", "10.0.0.2");
    apply(pool(e));
    awaitAnswered(1);
    dns.a(NAME, 60, "10.0.0.1");
    advance(Duration.ofSeconds(60));
    awaitAnswered(2);
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080 leaving"), ids(e));
    askedAgainAfter(Duration.ofSeconds(3), "the drain grace ends before the 60 s TTL");
    await().until(() -> ids(e).equals(List.of("10.0.0.1:8080")));

    // A reload that drops the entry stops asking.
    apply(pool());
    assertEquals(0, scheduler.pending());
  }
}
