package io.tandem.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.tandem.cluster.DiscoveredSet;
import io.tandem.config.DiscoverConfig;
import io.tandem.dns.DnsLookup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules that turn answers into published sets, and the timing of the next question. */
class DiscoveryWatchTest {
  private static final DiscoverConfig WEB = new DiscoverConfig(DiscoverConfig.Type.ANY, "web.tandem.test", 8080, 3, 0,
      Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(2));
  private static final DiscoverConfig API = new DiscoverConfig(DiscoverConfig.Type.SRV, "_http._tcp.api", 0, 1, 0,
      Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(30));

  private static DnsLookup.Answer answer(long ttl, String... ips) {
    return new DnsLookup.Answer(java.util.Arrays.stream(ips).map(ip -> new DnsLookup.Endpoint(ip, 8080, 1, 0))
        .toList(), ttl);
  }

  private static List<String> active(DiscoveredSet s) {
    return s.backends().stream().filter(e -> !e.leaving()).map(DiscoveredSet.Endpoint::id).toList();
  }

  private static List<String> leaving(DiscoveredSet s) {
    return s.backends().stream().filter(DiscoveredSet.Endpoint::leaving).map(DiscoveredSet.Endpoint::id).toList();
  }

  @Test
  void aBackendThatLeavesDrainsForTheGraceThenGoesAndOneThatReturnsIsActiveAgain() {
    DiscoveredSet first = DiscoveryWatch.answered(WEB, null, answer(30, "10.0.0.1", "10.0.0.2"), 1_000, "n1");
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), active(first));
    assertEquals(DiscoveredSet.Status.OK, first.status());
    assertEquals(3, first.backends().get(0).weight(), "an address entry's weight");

    DiscoveredSet left = DiscoveryWatch.answered(WEB, first, answer(30, "10.0.0.1"), 2_000, "n1");
    assertEquals(List.of("10.0.0.1:8080"), active(left));
    assertEquals(List.of("10.0.0.2:8080"), leaving(left));
    assertEquals(2_000, left.backends().get(1).leavingSinceMillis());

    DiscoveredSet still = DiscoveryWatch.answered(WEB, left, answer(30, "10.0.0.1"), 3_999, "n2");
    assertSame(left, still, "nothing changed within the grace: nothing to publish");
    DiscoveredSet gone = DiscoveryWatch.answered(WEB, still, answer(30, "10.0.0.1"), 4_000, "n2");
    assertEquals(List.of("10.0.0.1:8080"), active(gone));
    assertEquals(List.of(), leaving(gone));

    DiscoveredSet back = DiscoveryWatch.answered(WEB, left, answer(30, "10.0.0.2", "10.0.0.1"), 2_500, "n1");
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), active(back), "returns under the same id");
  }

  @Test
  void emptyAnswersAndFailuresKeepTheLastGoodSetButLeavingBackendsStillExpire() {
    DiscoveredSet good = DiscoveryWatch.answered(WEB, null, answer(30, "10.0.0.1"), 1_000, "n1");
    DiscoveredSet left = DiscoveryWatch.answered(WEB, good, answer(30, "10.0.0.3"), 2_000, "n1");

    DiscoveredSet empty = DiscoveryWatch.answered(WEB, left, answer(30), 3_000, "n1");
    assertEquals(DiscoveredSet.Status.EMPTY, empty.status());
    assertEquals(List.of("10.0.0.3:8080"), active(empty), "an empty answer does not empty the pool");
    assertEquals(List.of("10.0.0.1:8080"), leaving(empty));

    DiscoveredSet failed = DiscoveryWatch.failed(WEB, empty, "Failed to resolve 'web.tandem.test.': SERVFAIL",
        5_000, "n1");
    assertEquals(DiscoveredSet.Status.FAILED, failed.status());
    assertEquals("Failed to resolve 'web.tandem.test.': SERVFAIL", failed.error());
    assertEquals(List.of("10.0.0.3:8080"), active(failed));
    assertEquals(List.of(), leaving(failed), "its grace ended during the failure");

    DiscoveredSet healed = DiscoveryWatch.answered(WEB, failed, answer(30, "10.0.0.3"), 6_000, "n1");
    assertEquals(DiscoveredSet.Status.OK, healed.status());
    assertNull(healed.error());
    assertEquals(true, healed.differsFrom(failed), "the status change is published");
  }

  @Test
  void srvWeightsBecomeOneTo256InTheSameProportionsAndZeroCountsAsOne() {
    DnsLookup.Answer srv = new DnsLookup.Answer(List.of(new DnsLookup.Endpoint("10.0.0.1", 9001, 1000, 10),
        new DnsLookup.Endpoint("10.0.0.2", 9002, 3000, 10), new DnsLookup.Endpoint("10.0.0.3", 9003, 0, 20)), 60);
    DiscoveredSet s = DiscoveryWatch.answered(API, null, srv, 1, "n1");
    assertEquals(List.of(85, 256, 1), s.backends().stream().map(DiscoveredSet.Endpoint::weight).toList());
    assertEquals(List.of(10, 10, 20), s.backends().stream().map(DiscoveredSet.Endpoint::priority).toList());
    assertEquals(List.of(9001, 9002, 9003), s.backends().stream().map(DiscoveredSet.Endpoint::port).toList());

    DnsLookup.Answer small = new DnsLookup.Answer(List.of(new DnsLookup.Endpoint("10.0.0.1", 9001, 7, 0)), 60);
    assertEquals(7, DiscoveryWatch.answered(API, null, small, 1, "n1").backends().get(0).weight());
  }

  @Test
  void theNextQuestionFollowsTheTtlWithinTheBoundsAndFailuresBackOff() {
    DiscoveredSet s = DiscoveryWatch.answered(WEB, null, answer(30, "10.0.0.1"), 0, "n1");
    assertEquals(Duration.ofSeconds(5), DiscoveryWatch.nextAfterAnswer(WEB, answer(30, "10.0.0.1"), s, 0),
        "a TTL above max-interval");
    assertEquals(Duration.ofSeconds(1), DiscoveryWatch.nextAfterAnswer(WEB, answer(0, "10.0.0.1"), s, 0),
        "a TTL below min-interval");
    assertEquals(Duration.ofSeconds(3), DiscoveryWatch.nextAfterAnswer(WEB, answer(3, "10.0.0.1"), s, 0));
    assertEquals(Duration.ofSeconds(5), DiscoveryWatch.nextAfterAnswer(WEB, answer(-1), s, 0), "no TTL: the max");

    assertEquals(List.of(2L, 4L, 8L, 16L, 32L, 60L, 60L), java.util.stream.IntStream.rangeClosed(1, 7)
        .mapToObj(n -> DiscoveryWatch.nextAfterFailure(API, n, null, 0).toSeconds()).toList());

    DiscoveredSet left = DiscoveryWatch.answered(WEB, s, answer(30, "10.0.0.2"), 10_000, "n1");
    assertEquals(Duration.ofMillis(1_500), DiscoveryWatch.nextAfterAnswer(WEB, answer(30, "10.0.0.2"), left, 10_500),
        "asked again when a leaving backend's grace ends, to remove it on time");
  }
}
