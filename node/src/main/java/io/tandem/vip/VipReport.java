package io.tandem.vip;

import io.tandem.config.VipConfig;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * What this node tells the admin API ({@code /api/v1/cluster}) and the dashboard about its VIPs: each address's status,
 * the latest holder changes with their reasons, and the problems found at start-up. The {@link VipController} calls it
 * on the control thread after each decision; it keeps immutable snapshots in volatile fields, which any thread may
 * read.
 *
 * <p>It exists so that the controller holds the decisions, and this class how they are shown. It only reads the
 * slots' states, except for the holder fields it tracks to spot moves ({@link Slot#holder}, {@link Slot#lastHolder},
 * {@link Slot#since}). It logs under the controller's logger, so that operators see one VIP logger.
 */
final class VipReport {
  private static final Logger LOG = LogManager.getLogger(VipController.class);
  private static final int HISTORY = 100;

  private final String self;
  private final VipConfig config;
  private final Collection<Slot> slots;
  private final Peers peers;
  private final java.time.Clock wall;
  private final ArrayDeque<VipMove> moves = new ArrayDeque<>();
  private volatile List<VipStatus> status = List.of();
  private volatile List<VipMove> history = List.of();
  private volatile List<String> problems = List.of();

  /**
   * @param self  this node's id
   * @param slots every configured address, in configuration order (a live view: the controller's own slots)
   * @param peers what this node hears from the others, for the holder of each address and the reason it moved
   * @param wall  wall-clock time for {@link VipStatus#since()} and {@link VipMove#time()}
   */
  VipReport(String self, VipConfig config, Collection<Slot> slots, Peers peers, java.time.Clock wall) {
    this.self = self;
    this.config = config;
    this.slots = slots;
    this.peers = peers;
    this.wall = wall;
  }

  List<VipStatus> status() {
    return status;
  }

  List<VipMove> history() {
    return history;
  }

  List<String> problems() {
    return problems;
  }

  /** Logs and keeps the problems found at start-up (replacing any earlier ones). */
  void startProblems(List<String> found) {
    for (String problem : found) {
      LOG.error("VIP problem on this node (it goes on serving on its other addresses): {}", problem);
    }
    problems = List.copyOf(found);
  }

  void addProblem(String problem) {
    List<String> next = new ArrayList<>(problems);
    next.add(problem);
    problems = List.copyOf(next);
  }

  /** Updates each VIP's known holder from this node's state and the {@code live} peers' claims; records the moves. */
  void observe(Set<String> live) {
    for (Slot s : slots) {
      String current = s.state == Slot.State.HELD ? self : peers.claimant(s.vip.address(), live);
      if (Objects.equals(current, s.holder)) {
        continue;
      }
      Instant at = wall.instant();
      if (current != null && !current.equals(s.lastHolder)) {
        record(new VipMove(at, s.vip.cidr(), s.lastHolder, current, reason(s, live)));
        s.lastHolder = current;
      } else if (self.equals(s.holder)) {
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
    if (from.equals(self)) {
      return s.releaseReason;
    }
    if (peers.leaving(from)) {
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

  /** Takes a new status snapshot of every VIP. */
  void publish() {
    List<VipStatus> next = new ArrayList<>();
    for (Slot s : slots) {
      next.add(new VipStatus(s.vip.cidr(), s.vip.iface(), s.group.name(), s.group.mode(), s.holder,
          s.state == Slot.State.HELD, s.since, s.lastError));
    }
    status = List.copyOf(next);
  }
}
