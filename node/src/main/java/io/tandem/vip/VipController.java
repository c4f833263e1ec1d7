package io.tandem.vip;

import io.tandem.config.VipConfig;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Moves this node's floating addresses. Every heartbeat interval it tells the other nodes what it holds (UDP, see
 * {@link Heartbeats}) and decides, from who is live and what they claim, which addresses it should hold
 * ({@link Ownership}). It holds any only while this side of the cluster has quorum: enough live nodes by the
 * heartbeats <em>and</em> the cluster's own split-brain protection (or, in a two-node cluster, the witness).
 *
 * <p>Safety: a node acquires an address only when no live node claims it, so a move to a live successor (preemption,
 * graceful stop) is release-then-acquire; a holder that stops beating is dead for VIP purposes after
 * {@code dead-after} missed beats. Speed: a graceful stop releases and then says goodbye, and the successor acquires
 * at once.
 *
 * <p>Threading: every method except {@link #status()}, {@link #history()} and {@link #problems()} runs on the control
 * executor; driver calls (processes) run on the driver thread and report back to the control executor. The three
 * accessors return immutable snapshots and may be called from any thread.
 *
 * <p>The controller keeps the lifecycle and the decisions; it hands out the rest: {@link Peers} keeps what the other
 * nodes said, {@link SlotActions} runs the driver calls for each address, {@link VipReport} builds what the admin API
 * shows.
 */
public final class VipController {
  private static final Logger LOG = LogManager.getLogger(VipController.class);
  private static final Duration WITNESS_PROBE = Duration.ofSeconds(1);
  private static final long WITNESS_FRESH_NANOS = Duration.ofSeconds(3).toNanos();

  /**
   * The node this controller runs in and the cluster around it.
   *
   * @param self       this node's id
   * @param cluster    the cluster name (carried in every beat)
   * @param nodes      every configured node id
   * @param minMembers live nodes this side needs to hold anything ({@code cluster.min-members}; 1 standalone)
   */
  public record Cluster(String self, String cluster, List<String> nodes, int minMembers) {
    public Cluster {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * What the controller talks to; tests replace each part.
   *
   * @param driver        the OS driver
   * @param driverThread  runs driver calls one at a time, in order, off the event loops
   * @param probeThread   runs witness probes (they may take a second)
   * @param control       the controller's own context
   * @param beats         the heartbeat transport
   * @param clusterQuorum the cluster's split-brain protection ({@code Membership::hasQuorum})
   * @param clock         monotonic time
   * @param wall          wall-clock time for status and history
   * @param scheduler     timers on the control context
   */
  public record Wiring(OsDriver driver, Executor driverThread, Executor probeThread, Executor control,
      Heartbeats beats, BooleanSupplier clusterQuorum, Clock clock, java.time.Clock wall, Scheduler scheduler) {}

  private final Cluster cluster;
  private final VipConfig config;
  private final Wiring io;
  private final long deadAfterNanos;
  private final long incarnation;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final Peers peers;
  private final SlotActions actions;
  private final VipReport report;
  private long seq;
  private long lastTick;
  private long actFrom = Long.MAX_VALUE;
  private boolean stopped;
  private boolean lastQuorum;
  private boolean probing;
  private Scheduler.Cancellable tick;
  private volatile boolean witnessOk;
  private volatile long witnessAt = Long.MIN_VALUE;

  public VipController(Cluster cluster, VipConfig config, Wiring io) {
    this.cluster = cluster;
    this.config = config;
    this.io = io;
    this.deadAfterNanos = config.heartbeatInterval().toNanos() * config.deadAfter();
    this.incarnation = io.wall().millis();
    for (VipConfig.Group group : config.groups()) {
      for (VipConfig.Vip vip : group.vips()) {
        slots.put(vip.address(), new Slot(vip, group));
      }
    }
    Instant now = io.wall().instant();
    slots.values().forEach(s -> s.since = now);
    this.peers = new Peers(deadAfterNanos);
    this.actions = new SlotActions(io, new SlotActions.Control() {
      @Override
      public boolean stopped() {
        return stopped;
      }

      @Override
      public void tellPeers() {
        io.beats().send(beat(false));
      }

      @Override
      public void evaluate() {
        VipController.this.evaluate();
      }

      @Override
      public void publish() {
        report.publish();
      }
    });
    this.report = new VipReport(cluster.self(), config, slots.values(), peers, io.wall());
    report.publish();
  }

  /**
   * Checks privileges and interfaces, removes every configured address from this host (a node that starts owns
   * none; a process killed with -9 may have left some behind), then starts beating. It acts only after one
   * dead-after period of listening, so that it learns who holds what first. Never fails: problems are logged,
   * listed by {@link #problems()} and shown as each VIP's last error, and the node goes on serving.
   */
  public Future<Void> start() {
    Promise<Void> started = Promise.promise();
    actions.clean(config.all(), found -> {
      startProblems(found);
      io.beats().open(this::onBeat).onComplete(ar -> {
        if (ar.failed()) {
          report.addProblem(ar.cause().getMessage());
          LOG.error("VIPs disabled on this node: {}", ar.cause().getMessage());
        } else {
          actFrom = io.clock().nanoTime() + deadAfterNanos;
          LOG.info("VIP controller started for {} address(es); heartbeat every {} ms, dead after {} missed",
              slots.size(), config.heartbeatInterval().toMillis(), config.deadAfter());
          onTick();
        }
        report.publish();
        started.complete();
      });
    });
    return started.future();
  }

  /**
   * Graceful stop: releases every address, then tells the other nodes this node is leaving, so that successors
   * acquire at once rather than after the dead-after period. Completes when the addresses are removed.
   */
  public Future<Void> stop() {
    Promise<Void> done = Promise.promise();
    stopped = true;
    if (tick != null) {
      tick.cancel();
    }
    List<Slot> held = slots.values().stream().filter(s -> s.state != Slot.State.NOT_HELD).toList();
    actions.releaseAll(held, () -> {
      observe();
      // Twice: one lost datagram must not cost the successors the dead-after wait.
      io.beats().send(beat(true));
      io.beats().send(beat(true));
      report.publish();
      io.beats().close().onComplete(ar -> done.complete());
    });
    return done.future();
  }

  /** Every VIP as this node sees it now. Thread-safe snapshot. */
  public List<VipStatus> status() {
    return report.status();
  }

  /** The latest holder changes seen by this node (at most 100), oldest first. Thread-safe snapshot. */
  public List<VipMove> history() {
    return report.history();
  }

  /**
   * Problems that keep this node from holding some or all VIPs (missing capability, interface or command; the
   * heartbeat port cannot be bound), found at start-up. Empty when all is well. Thread-safe snapshot.
   */
  public List<String> problems() {
    return report.problems();
  }

  void onBeat(Heartbeat beat) {
    if (stopped || beat.nodeId().equals(cluster.self()) || !cluster.nodes().contains(beat.nodeId())) {
      return;
    }
    if (peers.update(beat, io.clock().nanoTime())) {
      evaluate();
    }
  }

  private void onTick() {
    if (stopped) {
      return;
    }
    long now = io.clock().nanoTime();
    long late = lastTick == 0 ? 0 : now - lastTick - config.heartbeatInterval().toNanos();
    lastTick = now;
    if (late > deadAfterNanos / 2) {
      // This process itself was stalled (GC, CPU starvation) for a good part of the dead-after period: the peers'
      // beats may still wait in the socket buffer, so their silence proves nothing yet. Give them that time back.
      // Shorter delays are not forgiven, so that steady lateness only slows detection, never stops it.
      peers.forgive(late);
    }
    io.beats().send(beat(false));
    evaluate();
    tick = io.scheduler().schedule(config.heartbeatInterval(), this::onTick);
  }

  private void evaluate() {
    long now = io.clock().nanoTime();
    if (stopped || now < actFrom) {
      return;
    }
    Set<String> live = peers.live(cluster.self(), now);
    boolean quorum = quorum(live, now);
    if (quorum != lastQuorum) {
      if (quorum) {
        LOG.info("VIP quorum: {} of {} nodes live", live.size(), cluster.nodes().size());
      } else {
        LOG.warn("no VIP quorum ({} of {} nodes live, {} needed, cluster quorum {}): holding no VIP", live.size(),
            cluster.nodes().size(), cluster.minMembers(), io.clusterQuorum().getAsBoolean());
      }
      lastQuorum = quorum;
    }
    Map<String, String> desired = quorum
        ? Ownership.assign(config, live, settled(live, now), claims(live), unable(live, now)) : Map.of();
    for (Slot s : slots.values()) {
      boolean mine = cluster.self().equals(desired.get(s.vip.address()));
      if (!mine && (s.state == Slot.State.HELD || s.state == Slot.State.ACQUIRING)) {
        actions.release(s,
            !quorum ? "quorum lost" : "handed over to " + desired.getOrDefault(s.vip.address(), "nobody"));
      } else if (mine && s.state == Slot.State.NOT_HELD && !peers.claimed(s.vip.address(), live)) {
        actions.acquire(s);
      }
    }
    observe();
    report.publish();
  }

  /** Live nodes that have been live for a settle period: only they may take an address from a live holder. */
  private Set<String> settled(Set<String> live, long now) {
    long settle = deadAfterNanos * 2;
    Set<String> settled = peers.settled(live, now, settle);
    if (now - actFrom >= settle) {
      settled.add(cluster.self());
    }
    return settled;
  }

  private boolean quorum(Set<String> live, long now) {
    if (live.size() >= cluster.minMembers() && io.clusterQuorum().getAsBoolean()) {
      return true;
    }
    VipConfig.Witness witness = config.witness();
    if (witness == null || live.size() * 2 < cluster.nodes().size()) {
      return false;
    }
    boolean probed = witnessAt != Long.MIN_VALUE;
    if (!probed || now - witnessAt > WITNESS_PROBE.toNanos()) {
      probeWitness(witness);
    }
    return probed && witnessOk && now - witnessAt <= WITNESS_FRESH_NANOS;
  }

  private void probeWitness(VipConfig.Witness witness) {
    if (probing) {
      return;
    }
    probing = true;
    io.probeThread().execute(() -> {
      boolean ok = io.driver().reachable(witness.iface(), witness.address());
      io.control().execute(() -> {
        probing = false;
        if (ok != witnessOk) {
          LOG.info("VIP witness {} is {}", witness.address(), ok ? "reachable" : "unreachable");
        }
        witnessOk = ok;
        witnessAt = io.clock().nanoTime();
        evaluate();
      });
    });
  }

  private Map<String, Set<String>> claims(Set<String> live) {
    Map<String, Set<String>> claims = peers.claims(live);
    claims.put(cluster.self(), ownClaims());
    return claims;
  }

  private Map<String, Set<String>> unable(Set<String> live, long now) {
    Map<String, Set<String>> unable = peers.unable(live);
    unable.put(cluster.self(), ownUnable(now));
    return unable;
  }

  /** Updates each VIP's known holder and records the moves. */
  private void observe() {
    report.observe(peers.live(cluster.self(), io.clock().nanoTime()));
  }

  private Heartbeat beat(boolean leaving) {
    return new Heartbeat(cluster.cluster(), cluster.self(), incarnation, ++seq, leaving,
        leaving ? Set.of() : ownClaims(), ownUnable(io.clock().nanoTime()));
  }

  private Set<String> ownClaims() {
    Set<String> claims = new HashSet<>();
    slots.forEach((address, s) -> {
      if (s.state != Slot.State.NOT_HELD) {
        claims.add(address);
      }
    });
    return claims;
  }

  private Set<String> ownUnable(long now) {
    Set<String> unable = new HashSet<>();
    slots.forEach((address, s) -> {
      if (s.unableUntil > now) {
        unable.add(address);
      }
    });
    return unable;
  }

  /** Logs and lists the start-up problems; an address they concern is left to the other nodes until the next start. */
  private void startProblems(List<String> found) {
    report.startProblems(found);
    boolean all = found.stream().anyMatch(p -> p.startsWith("missing capability") || p.startsWith("command "));
    for (Slot s : slots.values()) {
      String mine = found.stream().filter(p -> p.contains("interface " + s.vip.iface() + " ")).findFirst()
          .orElse(all ? String.join("; ", found) : null);
      if (mine != null) {
        s.lastError = mine;
        // Unable until the next start: the others take these addresses.
        s.unableUntil = Long.MAX_VALUE;
      }
    }
  }
}
