package io.tandem.limits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.cluster.UsageExchange;
import io.tandem.config.ListenerConfig;
import io.tandem.config.RateLimitConfig;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Three nodes' rate limits joined by an in-memory exchange with a delivery delay, on one manual clock: a check of the
 * error bound stated in {@link RateLimits} without timing.
 */
class RateLimitsClusterTest {
  private static final long RATE = 50;
  private static final int BURST = 10;

  /** An exchange whose deliveries arrive {@code delay} after publication, through the manual scheduler. */
  static final class DelayedBus {
    final List<Consumer<Map<String, Long>>> receivers = new ArrayList<>();
    final ManualScheduler scheduler;
    final Duration delay;

    DelayedBus(ManualScheduler scheduler, Duration delay) {
      this.scheduler = scheduler;
      this.delay = delay;
    }

    UsageExchange member() {
      int[] me = {-1};
      return new UsageExchange() {
        @Override
        public void publish(Map<String, Long> admitted) {
          Map<String, Long> copy = Map.copyOf(admitted);
          for (int i = 0; i < receivers.size(); i++) {
            if (i != me[0] && !copy.isEmpty()) {
              Consumer<Map<String, Long>> r = receivers.get(i);
              scheduler.schedule(delay, () -> r.accept(copy));
            }
          }
        }

        @Override
        public void onOthers(Consumer<Map<String, Long>> consumer) {
          me[0] = receivers.size();
          receivers.add(consumer);
        }

        @Override
        public int nodes() {
          return receivers.size();
        }
      };
    }
  }

  static ListenerConfig listener() {
    RateLimitConfig rule = new RateLimitConfig("limited", "/limited", null, null, RateLimitConfig.Key.SOURCE, null,
        RATE, Duration.ofSeconds(1), BURST, 1000);
    return new ListenerConfig("web", "127.0.0.1", 0, io.tandem.config.Protocol.HTTP, "app", List.of(), 100,
        ListenerConfig.Timeouts.DEFAULTS, ListenerConfig.Limits.DEFAULTS, false, 0, List.of(rule));
  }

  /** Offers {@code perNodeRps} requests/s of one key to each of {@code nodes} nodes for 10 s; returns admitted. */
  static long run(int nodes, int perNodeRps, Duration delay) {
    ManualClock clock = new ManualClock();
    ManualScheduler scheduler = new ManualScheduler(clock);
    DelayedBus bus = new DelayedBus(scheduler, delay);
    List<RateLimits> limits = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      RateLimits l = new RateLimits(clock, scheduler, bus.member());
      l.apply(List.of(listener()));
      l.start();
      limits.add(l);
    }
    long admitted = 0;
    long stepMicros = 1_000_000 / perNodeRps;
    for (long t = 0; t < 10_000_000; t += stepMicros) {
      for (RateLimits l : limits) {
        RateLimiter r = l.forListener("web").get(0);
        if (r.tryAcquire("10.0.0.9", clock.nanoTime()) >= 0) {
          admitted++;
        }
      }
      scheduler.advance(Duration.ofNanos(stepMicros * 1000));
    }
    return admitted;
  }

  @Test
  void threeNodesAdmitAboutTheRateInTotalWithinTheStatedBound() {
    Duration delay = Duration.ofMillis(5);
    long admitted = run(3, 200, delay);
    double l = (RateLimits.PUBLISH_INTERVAL.toMillis() + delay.toMillis()) / 1000.0;
    double bound = RATE * 10 + 3 * BURST + 2 * RATE * l;
    assertTrue(admitted >= RATE * 10, "admitted " + admitted);
    assertTrue(admitted <= bound, "admitted " + admitted + " over the bound " + bound);
  }

  @Test
  void withoutTheExchangeEachNodeWouldAdmitTheRateItself() {
    assertEquals(3 * (RATE * 10 + BURST), run(3, 200, Duration.ofDays(1)), 3);
  }
}
