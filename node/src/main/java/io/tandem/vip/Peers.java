package io.tandem.vip;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The other nodes as this node hears them: each one's latest beat, when it came, and since when the node has been
 * live without a gap. It answers the questions the {@link VipController} decides on (who is live, who has been live
 * long enough to take an address from a live holder, what the live ones claim or cannot hold) and that its
 * {@link VipReport} shows (who holds an address). Time is passed in (monotonic nanos), so that the rules can be tested
 * alone; control thread only.
 */
final class Peers {
  /** The latest beat of a peer, when it came, and since when the peer has been live without a gap. */
  private record Peer(Heartbeat beat, long seenAt, long liveSince) {}

  private final Map<String, Peer> peers = new HashMap<>();
  private final long deadAfterNanos;

  /** @param deadAfterNanos how long a peer stays live after its last beat */
  Peers(long deadAfterNanos) {
    this.deadAfterNanos = deadAfterNanos;
  }

  /**
   * Takes {@code beat}, received at {@code now}, unless it is not newer than the last one from its sender. Returns
   * whether the decision may change: the sender is new or back to life, is leaving, or claims or cannot hold
   * something else than before. A plain repeat only keeps the sender live.
   */
  boolean update(Heartbeat beat, long now) {
    Peer previous = peers.get(beat.nodeId());
    if (previous != null && !beat.newerThan(previous.beat)) {
      return false;
    }
    boolean wasLive = previous != null && isLive(previous, now);
    peers.put(beat.nodeId(), new Peer(beat, now, wasLive ? previous.liveSince : now));
    return !wasLive || beat.leaving() || !beat.claims().equals(previous.beat.claims())
        || !beat.unable().equals(previous.beat.unable());
  }

  /**
   * Gives every peer {@code nanos} back: this process was stalled that long, so the peers' silence during it proves
   * nothing (their beats may still wait in the socket buffer).
   */
  void forgive(long nanos) {
    peers.replaceAll((id, peer) -> new Peer(peer.beat, peer.seenAt + nanos, peer.liveSince + nanos));
  }

  /** {@code self} and every peer live at {@code now}: it beat within the dead-after period and is not leaving. */
  Set<String> live(String self, long now) {
    Set<String> live = new HashSet<>();
    live.add(self);
    peers.forEach((id, peer) -> {
      if (isLive(peer, now)) {
        live.add(id);
      }
    });
    return live;
  }

  /** The peers among {@code live} that have been live without a gap for at least {@code settle} nanos. */
  Set<String> settled(Set<String> live, long now, long settle) {
    Set<String> settled = new HashSet<>();
    peers.forEach((id, peer) -> {
      if (live.contains(id) && now - peer.liveSince >= settle) {
        settled.add(id);
      }
    });
    return settled;
  }

  /** What each peer among {@code live} claims (holds, or is acquiring or releasing). */
  Map<String, Set<String>> claims(Set<String> live) {
    return each(live, Heartbeat::claims);
  }

  /** What each peer among {@code live} says it cannot hold. */
  Map<String, Set<String>> unable(Set<String> live) {
    return each(live, Heartbeat::unable);
  }

  /** Whether a peer among {@code live} claims {@code address}. */
  boolean claimed(String address, Set<String> live) {
    return claimant(address, live) != null;
  }

  /** The first (by id) peer among {@code live} that claims {@code address}, or null. */
  String claimant(String address, Set<String> live) {
    return peers.entrySet().stream()
        .filter(e -> live.contains(e.getKey()) && e.getValue().beat.claims().contains(address))
        .map(Map.Entry::getKey).sorted().findFirst().orElse(null);
  }

  /** Whether {@code node}'s latest beat said it is leaving. */
  boolean leaving(String node) {
    Peer peer = peers.get(node);
    return peer != null && peer.beat.leaving();
  }

  private Map<String, Set<String>> each(Set<String> live, Function<Heartbeat, Set<String>> field) {
    Map<String, Set<String>> result = new HashMap<>();
    peers.forEach((id, peer) -> {
      if (live.contains(id)) {
        result.put(id, field.apply(peer.beat));
      }
    });
    return result;
  }

  private boolean isLive(Peer peer, long now) {
    return !peer.beat.leaving() && now - peer.seenAt <= deadAfterNanos;
  }
}
