package io.tandem.vip;

import io.tandem.config.VipConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Carries out what the {@link VipController} decided for its addresses: adds, announces and removes them through the
 * {@link OsDriver} on the driver thread, then records the result in the {@link Slot} back on the control thread (the
 * new state, the last error, the retry hold-off after a failed acquire, the repeated gratuitous ARPs) and reports it
 * through {@link Control}. It decides nothing: the controller says which address to acquire or release and when.
 *
 * <p>It exists so that the controller holds the lifecycle and the decisions, and this class the thread hops and the
 * bookkeeping of each driver call. It logs under the controller's logger, so that operators see one VIP logger.
 */
final class SlotActions {
  private static final Logger LOG = LogManager.getLogger(VipController.class);
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

  /** What a finished driver call reports to the controller, on the control thread. */
  interface Control {
    /** Whether the controller has been stopped (it then sends no more ordinary beats or announcements). */
    boolean stopped();

    /** Sends a beat now, so that the other nodes learn at once what this node claims or cannot hold. */
    void tellPeers();

    /** Decides again: a slot changed state. */
    void evaluate();

    /** Publishes the status again: a slot's last error changed. */
    void publish();
  }

  private final VipController.Wiring io;
  private final Control control;

  SlotActions(VipController.Wiring io, Control control) {
    this.io = io;
    this.control = control;
  }

  /**
   * At start-up: collects the driver's problems with {@code vips} and removes every one of them from this host (a
   * process killed with -9 may have left some behind), then hands the problems to {@code found} on the control
   * thread.
   */
  void clean(List<VipConfig.Vip> vips, Consumer<List<String>> found) {
    io.driverThread().execute(() -> {
      List<String> problems = new ArrayList<>(io.driver().check(vips));
      for (VipConfig.Vip vip : vips) {
        try {
          io.driver().remove(vip);
        } catch (OsDriver.VipException e) {
          problems.add("cannot remove " + vip.cidr() + " left on " + vip.iface() + ": " + e.getMessage());
        }
      }
      io.control().execute(() -> found.accept(problems));
    });
  }

  /** Adds and announces the address; on failure this node is unable to hold it for a while, so the next in line may. */
  void acquire(Slot s) {
    s.state = Slot.State.ACQUIRING;
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
      s.state = Slot.State.NOT_HELD;
      s.lastError = error;
      s.unableUntil = io.clock().nanoTime() + RETRY_AFTER_FAILURE.toNanos();
      LOG.error("cannot acquire VIP {} on {}: {}", s.vip.cidr(), s.vip.iface(), error);
      // Tell the others at once that this node cannot hold it, so that the next in line takes it.
      control.tellPeers();
    } else {
      s.state = Slot.State.HELD;
      LOG.info("acquired VIP {} on {}", s.vip.cidr(), s.vip.iface());
      if (!control.stopped()) {
        announceAgain(s, s.vip.garpCount() - 1);
        control.tellPeers();
      }
    }
    control.evaluate();
  }

  private void announceAgain(Slot s, int remaining) {
    if (remaining <= 0) {
      s.announcing = null;
      return;
    }
    s.announcing = io.scheduler().schedule(s.vip.garpInterval(), () -> {
      if (s.state != Slot.State.HELD || control.stopped()) {
        return;
      }
      io.driverThread().execute(() -> {
        try {
          io.driver().announce(s.vip);
        } catch (OsDriver.VipException e) {
          io.control().execute(() -> {
            s.lastError = e.getMessage();
            LOG.warn("gratuitous ARP for VIP {} failed: {}", s.vip.cidr(), e.getMessage());
            control.publish();
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

  /** Removes the address; {@code reason} goes into the log and the move record. */
  void release(Slot s, String reason) {
    stopAnnouncing(s);
    s.state = Slot.State.RELEASING;
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
        s.state = Slot.State.NOT_HELD;
        if (failure != null) {
          s.lastError = failure;
          LOG.error("cannot release VIP {} on {}: {}", s.vip.cidr(), s.vip.iface(), failure);
        } else {
          LOG.info("released VIP {} on {} ({})", s.vip.cidr(), s.vip.iface(), reason);
        }
        control.tellPeers();
        control.evaluate();
      });
    });
  }

  /**
   * On a graceful stop: removes every address of {@code held} in one go (failures are logged, the slots count as
   * released all the same), then runs {@code then} on the control thread. Neither beats nor decides: the controller
   * says goodbye itself.
   */
  void releaseAll(List<Slot> held, Runnable then) {
    held.forEach(this::stopAnnouncing);
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
          s.state = Slot.State.NOT_HELD;
          s.releaseReason = "stopping";
          LOG.info("released VIP {} on {} (stopping)", s.vip.cidr(), s.vip.iface());
        }
        then.run();
      });
    });
  }
}
