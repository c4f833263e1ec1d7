package io.tandem.vip;

import io.tandem.config.VipConfig;
import io.tandem.testing.FakeDriver;
import io.tandem.testing.FakeNetwork;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.util.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * Several {@link VipController}s on simulated hosts: one {@link FakeDriver} per host, heartbeats over a
 * {@link FakeNetwork}, all on one manual clock. A node can be started, stopped gracefully, killed (its process stops
 * at once and its addresses stay on its host) or cut off; time moves only when the test says so.
 */
final class SimulatedCluster {
  static final Duration LATENCY = Duration.ofMillis(1);

  final ManualClock clock = new ManualClock();
  final ManualScheduler scheduler = new ManualScheduler(clock);
  final FakeNetwork network = new FakeNetwork(scheduler, LATENCY);
  private final List<String> nodes;
  private final int minMembers;
  private final VipConfig config;
  private final Map<String, FakeDriver> hosts = new HashMap<>();
  private final Map<String, NodeProcess> running = new HashMap<>();
  BooleanSupplier clusterQuorum = () -> true;

  /** One node's process: a controller whose timers and callbacks stop for good when it is killed. */
  private static final class NodeProcess {
    VipController controller;
    volatile boolean alive = true;
  }

  SimulatedCluster(List<String> nodes, int minMembers, VipConfig config) {
    this.nodes = List.copyOf(nodes);
    this.minMembers = minMembers;
    this.config = config;
    nodes.forEach(n -> hosts.put(n, new FakeDriver()));
  }

  FakeDriver host(String node) {
    return hosts.get(node);
  }

  VipController controller(String node) {
    return running.get(node).controller;
  }

  void start(String... names) {
    for (String node : names) {
      NodeProcess p = new NodeProcess();
      Executor control = task -> scheduler.schedule(Duration.ZERO, () -> {
        if (p.alive) {
          task.run();
        }
      });
      Scheduler timers = (delay, task) -> scheduler.schedule(delay, () -> {
        if (p.alive) {
          task.run();
        }
      });
      java.time.Clock wall = new java.time.Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return Instant.ofEpochMilli(1_700_000_000_000L + clock.millis());
        }
      };
      VipController.Wiring wiring = new VipController.Wiring(hosts.get(node), Runnable::run, Runnable::run, control,
          network.endpoint(node), () -> clusterQuorum.getAsBoolean(), clock, wall, timers);
      p.controller = new VipController(new VipController.Cluster(node, "sim", nodes, minMembers), config, wiring);
      running.put(node, p);
      p.controller.start();
    }
    scheduler.runDue();
  }

  /** kill -9: the process stops now; its addresses stay on its host. */
  void kill(String node) {
    running.remove(node).alive = false;
    network.detach(node);
  }

  /** Graceful stop. */
  void stop(String node) {
    running.get(node).controller.stop();
    scheduler.runDue();
    running.remove(node);
  }

  void advance(Duration d) {
    scheduler.advance(d);
  }

  /** Moves time 1 ms at a time for {@code d}, checking after each step that no address is on two hosts. */
  void advanceSafely(Duration d) {
    for (long ms = 0; ms < d.toMillis(); ms++) {
      scheduler.advance(Duration.ofMillis(1));
      for (VipConfig.Vip vip : config.all()) {
        List<String> holders = holders(vip);
        if (holders.size() > 1) {
          throw new AssertionError(vip.address() + " on several hosts at once: " + holders + " at "
              + clock.millis() + " ms");
        }
      }
    }
  }

  /** Hosts whose interface has {@code vip} now. */
  List<String> holders(VipConfig.Vip vip) {
    List<String> holders = new ArrayList<>();
    for (String node : nodes) {
      if (hosts.get(node).has(vip)) {
        holders.add(node);
      }
    }
    return holders;
  }

  /** Settles a started cluster: the listening period plus a few beats. */
  void settle() {
    advance(config.heartbeatInterval().multipliedBy(config.deadAfter() + 3));
  }
}
