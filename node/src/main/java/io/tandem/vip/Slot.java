package io.tandem.vip;

import io.tandem.config.VipConfig;
import io.tandem.util.Scheduler;
import java.time.Instant;

/**
 * One configured address and what this node knows and does about it: whether it holds it (or has a driver call under
 * way for it), which node held it last as far as this node knows, and the last problem with it. A plain mutable
 * holder shared by the {@link VipController} and the classes it hands work to ({@link SlotActions},
 * {@link VipReport}); all of them touch it on the control thread only.
 */
final class Slot {
  /** Whether this node holds the address; the two middle states mean a driver call is under way. */
  enum State { NOT_HELD, ACQUIRING, HELD, RELEASING }

  final VipConfig.Vip vip;
  final VipConfig.Group group;
  State state = State.NOT_HELD;
  String lastError;
  /** Until when (monotonic nanos) this node tells the others it cannot hold the address. */
  long unableUntil = Long.MIN_VALUE;
  /** The holder as this node last saw it, or null. */
  String holder;
  /** The last non-null holder, for the move records. */
  String lastHolder;
  String releaseReason;
  Instant since;
  /** The pending repeat of the gratuitous ARP, or null. */
  Scheduler.Cancellable announcing;

  Slot(VipConfig.Vip vip, VipConfig.Group group) {
    this.vip = vip;
    this.group = group;
  }
}
