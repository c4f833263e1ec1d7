package io.tandem.vip;

import io.tandem.config.VipConfig;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
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
 */
public final class VipController {
  private static final Logger LOG = LogManager.getLogger(VipController.class);
  private static final int HISTORY = 100;
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);
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

  private enum State { NOT_HELD, ACQUIRING, HELD, RELEASING }

  /** One configured address and what this node knows and does about it. Control thread only. */
  private static final class Slot {
    final VipConfig.Vip vip;
    final VipConfig.Group group;
    State state = State.NOT_HELD;
    String lastError;
    long unableUntil = Long.MIN_VALUE;
    String holder;
    String lastHolder;
    String releaseReason;
    Instant since;
    Scheduler.Cancellable announcing;

    Slot(VipConfig.Vip vip, VipConfig.Group group) {
      this.vip = vip;
      this.group = group;
    }
  }

  /** The latest beat of a peer, when it came, and since when the peer has been live without a gap. */
  private record Peer(Heartbeat beat, long seenAt, long liveSince) {}

  private final Cluster cluster;
  private final VipConfig config;
  private final Wiring io;
  private final long deadAfterNanos;
  private final long incarnation;
  private final Map<String, Slot> slots = new LinkedHashMap<>();
  private final Map<String, Peer> peers = new HashMap<>();
  private final ArrayDeque<VipMove> moves = new ArrayDeque<>();
  private long seq;
  private long lastTick;
  private long actFrom = Long.MAX_VALUE;
  private boolean stopped;
  private boolean lastQuorum;
  private Scheduler.Cancellable tick;
  private volatile boolean witnessOk;
  private volatile long witnessAt = Long.MIN_VALUE;
  private volatile List<VipStatus> status = List.of();
  private volatile List<VipMove> history = List.of();
  private volatile List<String> problems = List.of();

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
    publish();
  }

  /**
   * Checks privileges and interfaces, removes every configured address from this host (a node that starts owns
   * none; a process killed with -9 may have left some behind), then starts beating. It acts only after one
   * dead-after period of listening, so that it learns who holds what first. Never fails: problems are logged,
   * listed by {@link #problems()} and shown as each VIP's last error, and the node goes on serving.
   */
  public Future<Void> start() {
    Promise<Void> started = Promise.promise();
    List<VipConfig.Vip> all = config.all();
    io.driverThread().execute(() -> {
      List<String> found = new ArrayList<>(io.driver().check(all));
      for (VipConfig.Vip vip : all) {
        try {
          io.driver().remove(vip);
        } catch (OsDriver.VipException e) {
          found.add("cannot remove " + vip.cidr() + " left on " + vip.iface() + ": " + e.getMessage());
        }
      }
      io.control().execute(() -> {
        startProblems(found);
        io.beats().open(this::onBeat).onComplete(ar -> {
          if (ar.failed()) {
            addProblem(ar.cause().getMessage());
            LOG.error("VIPs disabled on this node: {}", ar.cause().getMessage());
          } else {
            actFrom = io.clock().nanoTime() + deadAfterNanos;
            LOG.info("VIP controller started for {} address(es); heartbeat every {} ms, dead after {} missed",
                slots.size(), config.heartbeatInterval().toMillis(), config.deadAfter());
            onTick();
          }
          publish();
          started.complete();
        });
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
    List<Slot> held = slots.values().stream().filter(s -> s.state != State.NOT_HELD).toList();
    held.forEach(s -> stopAnnouncing(s));
    io.driverThread().execute(() -> {
      List<String> errors = new ArrayList<>();
      for (Slot s : held) {
        try {
          io.driver().remove(s.vip);
        } catch (OsDriver.VipException e) {
          errors.add(e.getMessage());
        }
      }
      io.control().execute(() -> {
        errors.forEach(e -> LOG.error("releasing VIP on stop failed: {}", e));
        for (Slot s : held) {
          s.state = State.NOT_HELD;
          s.releaseReason = "stopping";
          LOG.info("released VIP {} on {} (stopping)", s.vip.cidr(), s.vip.iface());
        }
        observe();
        // Twice: one lost datagram must not cost the successors the dead-after wait.
        io.beats().send(beat(true));
        io.beats().send(beat(true));
        publish();
        io.beats().close().onComplete(ar -> done.complete());
      });
    });
    return done.future();
  }

  /** Every VIP as this node sees it now. Thread-safe snapshot. */
  public List<VipStatus> status() {
    return status;
  }

  /** The latest holder changes seen by this node (at most 100), oldest first. Thread-safe snapshot. */
  public List<VipMove> history() {
    return history;
  }

  /**
   * Problems that keep this node from holding some or all VIPs (missing capability, interface or command; the
   * heartbeat port cannot be bound), found at start-up. Empty when all is well. Thread-safe snapshot.
   */
  public List<String> problems() {
    return problems;
  }

  void onBeat(Heartbeat beat) {
    if (stopped || beat.nodeId().equals(cluster.self()) || !cluster.nodes().contains(beat.nodeId())) {
      return;
    }
    Peer previous = peers.get(beat.nodeId());
    if (previous != null && !beat.newerThan(previous.beat)) {
      return;
    }
    long now = io.clock().nanoTime();
    boolean wasLive = previous != null && isLive(previous, now);
    peers.put(beat.nodeId(), new Peer(beat, now, wasLive ? previous.liveSince : now));
    boolean changed = !wasLive || beat.leaving() || !beat.claims().equals(previous.beat.claims())
        || !beat.unable().equals(previous.beat.unable());
    if (changed) {
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
      peers.replaceAll((id, peer) -> new Peer(peer.beat, peer.seenAt + late, peer.liveSince + late));
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
    Set<String> live = live(now);
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
      if (!mine && (s.state == State.HELD || s.state == State.ACQUIRING)) {
        release(s, !quorum ? "quorum lost" : "handed over to " + desired.getOrDefault(s.vip.address(), "nobody"));
      } else if (mine && s.state == State.NOT_HELD && !claimedByPeer(s, live)) {
        acquire(s);
      }
    }
    observe();
    publish();
  }

  private Set<String> live(long now) {
    Set<String> live = new HashSet<>();
    live.add(cluster.self());
    peers.forEach((id, peer) -> {
      if (isLive(peer, now)) {
        live.add(id);
      }
    });
    return live;
  }

  /** Live nodes that have been live for a settle period: only they may take an address from a live holder. */
  private Set<String> settled(Set<String> live, long now) {
    long settle = deadAfterNanos * 2;
    Set<String> settled = new HashSet<>();
    if (now - actFrom >= settle) {
      settled.add(cluster.self());
    }
    peers.forEach((id, peer) -> {
      if (live.contains(id) && now - peer.liveSince >= settle) {
        settled.add(id);
      }
    });
    return settled;
  }

  private boolean isLive(Peer peer, long now) {
    return !peer.beat.leaving() && now - peer.seenAt <= deadAfterNanos;
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

  private boolean probing;

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
    Map<String, Set<String>> claims = new HashMap<>();
    claims.put(cluster.self(), ownClaims());
    peers.forEach((id, peer) -> {
      if (live.contains(id)) {
        claims.put(id, peer.beat.claims());
      }
    });
    return claims;
  }

  private Map<String, Set<String>> unable(Set<String> live, long now) {
    Map<String, Set<String>> unable = new HashMap<>();
    unable.put(cluster.self(), ownUnable(now));
    peers.forEach((id, peer) -> {
      if (live.contains(id)) {
        unable.put(id, peer.beat.unable());
      }
    });
    return unable;
  }

  private boolean claimedByPeer(Slot s, Set<String> live) {
    return peers.entrySet().stream().anyMatch(e -> live.contains(e.getKey())
        && e.getValue().beat.claims().contains(s.vip.address()));
  }

  private void acquire(Slot s) {
    s.state = State.ACQUIRING;
    io.driverThread().execute(() -> {
      String error = null;
      try {
        io.driver().add(s.vip);
        io.driver().announce(s.vip);
      } catch (OsDriver.VipException e) {
        error = e.getMessage();
      }
      String failure = error;
      io.control().execute(() -> acquired(s, failure));
    });
  }

  private void acquired(Slot s, String error) {
    if (error != null) {
      s.state = State.NOT_HELD;
      s.lastError = error;
      s.unableUntil = io.clock().nanoTime() + RETRY_AFTER_FAILURE.toNanos();
      LOG.error("cannot acquire VIP {} on {}: {}", s.vip.cidr(), s.vip.iface(), error);
      // Tell the others at once that this node cannot hold it, so that the next in line takes it.
      io.beats().send(beat(false));
    } else {
      s.state = State.HELD;
      LOG.info("acquired VIP {} on {}", s.vip.cidr(), s.vip.iface());
      if (!stopped) {
        announceAgain(s, s.vip.garpCount() - 1);
        io.beats().send(beat(false));
      }
    }
    evaluate();
  }

  private void announceAgain(Slot s, int remaining) {
    if (remaining <= 0) {
      s.announcing = null;
      return;
    }
    s.announcing = io.scheduler().schedule(s.vip.garpInterval(), () -> {
      if (s.state != State.HELD || stopped) {
        return;
      }
      io.driverThread().execute(() -> {
        try {
          io.driver().announce(s.vip);
        } catch (OsDriver.VipException e) {
          io.control().execute(() -> {
            s.lastError = e.getMessage();
            LOG.warn("gratuitous ARP for VIP {} failed: {}", s.vip.cidr(), e.getMessage());
            publish();
          });
        }
      });
      announceAgain(s, remaining - 1);
    });
  }

  private void stopAnnouncing(Slot s) {
    if (s.announcing != null) {
      s.announcing.cancel();
      s.announcing = null;
    }
  }

  private void release(Slot s, String reason) {
    stopAnnouncing(s);
    s.state = State.RELEASING;
    s.releaseReason = reason;
    io.driverThread().execute(() -> {
      String error = null;
      try {
        io.driver().remove(s.vip);
      } catch (OsDriver.VipException e) {
        error = e.getMessage();
      }
      String failure = error;
      io.control().execute(() -> {
        s.state = State.NOT_HELD;
        if (failure != null) {
          s.lastError = failure;
          LOG.error("cannot release VIP {} on {}: {}", s.vip.cidr(), s.vip.iface(), failure);
        } else {
          LOG.info("released VIP {} on {} ({})", s.vip.cidr(), s.vip.iface(), reason);
        }
        io.beats().send(beat(false));
        evaluate();
      });
    });
  }

  /** Updates each VIP's known holder and records the moves. */
  private void observe() {
    long now = io.clock().nanoTime();
    Set<String> live = live(now);
    for (Slot s : slots.values()) {
      String current = s.state == State.HELD ? cluster.self() : null;
      if (current == null) {
        current = peers.entrySet().stream()
            .filter(e -> live.contains(e.getKey()) && e.getValue().beat.claims().contains(s.vip.address()))
            .map(Map.Entry::getKey).sorted().findFirst().orElse(null);
      }
      if (java.util.Objects.equals(current, s.holder)) {
        continue;
      }
      Instant at = io.wall().instant();
      if (current != null && !current.equals(s.lastHolder)) {
        record(new VipMove(at, s.vip.cidr(), s.lastHolder, current, reason(s, live)));
        s.lastHolder = current;
      } else if (cluster.self().equals(s.holder)) {
        record(new VipMove(at, s.vip.cidr(), s.holder, null, s.releaseReason));
        s.lastHolder = null;
      }
      s.holder = current;
      s.since = at;
    }
  }

  /** Why a VIP moved away from its last holder. */
  private String reason(Slot s, Set<String> live) {
    String from = s.lastHolder;
    if (from == null) {
      return "no holder";
    }
    if (from.equals(cluster.self())) {
      return s.releaseReason;
    }
    Peer peer = peers.get(from);
    if (peer != null && peer.beat.leaving()) {
      return from + " stopped";
    }
    if (!live.contains(from)) {
      return from + " unreachable (no heartbeat for " + config.heartbeatInterval().toMillis() * config.deadAfter()
          + " ms)";
    }
    return from + " handed it over";
  }

  private void record(VipMove move) {
    LOG.info("VIP {} moved from {} to {}: {}", move.vip(), move.from(), move.to(), move.reason());
    moves.addLast(move);
    while (moves.size() > HISTORY) {
      moves.removeFirst();
    }
    history = List.copyOf(moves);
  }

  private Heartbeat beat(boolean leaving) {
    return new Heartbeat(cluster.cluster(), cluster.self(), incarnation, ++seq, leaving,
        leaving ? Set.of() : ownClaims(), ownUnable(io.clock().nanoTime()));
  }

  private Set<String> ownClaims() {
    Set<String> claims = new HashSet<>();
    slots.forEach((address, s) -> {
      if (s.state != State.NOT_HELD) {
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

  private void startProblems(List<String> found) {
    for (String problem : found) {
      LOG.error("VIP problem on this node (it goes on serving on its other addresses): {}", problem);
    }
    problems = List.copyOf(found);
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

  private void addProblem(String problem) {
    List<String> next = new ArrayList<>(problems);
    next.add(problem);
    problems = List.copyOf(next);
  }

  private void publish() {
    List<VipStatus> next = new ArrayList<>();
    for (Slot s : slots.values()) {
      next.add(new VipStatus(s.vip.cidr(), s.vip.iface(), s.group.name(), s.group.mode(), s.holder,
          s.state == State.HELD, s.since, s.lastError));
    }
    status = List.copyOf(next);
  }
}
