package io.tandem.vip;

import io.tandem.config.ClusterConfig;
import io.tandem.config.TandemConfig;
import io.tandem.util.Clock;
import io.tandem.util.VertxScheduler;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A node's {@link VipController} with its production parts: the {@link IpCommandDriver} on a thread of its own, UDP
 * heartbeats, the cluster's quorum. {@link #NONE} stands in when the configuration has no {@code vips} section.
 */
public final class VipNode {
  /** For a node without VIPs: starts and stops at once, reports nothing. */
  public static final VipNode NONE = new VipNode(null, null, null, null);

  private final VipController controller;
  private final ExecutorService driverThread;
  private final ExecutorService probeThread;
  private final Context control;

  private VipNode(VipController controller, ExecutorService driverThread, ExecutorService probeThread,
      Context control) {
    this.controller = controller;
    this.control = control;
    this.driverThread = driverThread;
    this.probeThread = probeThread;
  }

  /**
   * Builds the controller for {@code config} ({@link #NONE} without VIPs). Resolves the nodes' addresses: call it
   * off the event loops.
   *
   * @param control the control-plane context the controller runs on
   * @param quorum  the cluster's split-brain protection
   */
  public static VipNode create(TandemConfig config, Vertx vertx, Context control, BooleanSupplier quorum) {
    if (config.vips().isEmpty()) {
      return NONE;
    }
    ClusterConfig cluster = config.cluster();
    VipController.Cluster who = cluster == null
        ? new VipController.Cluster(config.nodeId(), TandemConfig.LOCAL_NODE, List.of(config.nodeId()), 1)
        : new VipController.Cluster(cluster.nodeId(), cluster.name(),
            cluster.nodes().stream().map(ClusterConfig.NodeEntry::id).toList(), cluster.minMembers());
    Heartbeats beats = cluster == null ? new Alone() : new UdpHeartbeats(vertx, cluster);
    ExecutorService driverThread = Executors.newSingleThreadExecutor(daemon("tandem-vip-driver"));
    ExecutorService probeThread = Executors.newSingleThreadExecutor(daemon("tandem-vip-witness"));
    VipController.Wiring wiring = new VipController.Wiring(new IpCommandDriver(), driverThread, probeThread,
        task -> control.runOnContext(v -> task.run()), beats, quorum, Clock.SYSTEM, java.time.Clock.systemUTC(),
        new VertxScheduler(control));
    return new VipNode(new VipController(who, config.vips(), wiring), driverThread, probeThread, control);
  }

  /** The controller, or null for {@link #NONE}. */
  public VipController controller() {
    return controller;
  }

  public Future<Void> start() {
    if (controller == null) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> started = io.vertx.core.Promise.promise();
    control.runOnContext(v -> controller.start().onComplete(started));
    return started.future();
  }

  /** Releases every VIP (the successors take over at once), then stops the controller's threads. */
  public Future<Void> stop() {
    if (controller == null) {
      return Future.succeededFuture();
    }
    io.vertx.core.Promise<Void> stopped = io.vertx.core.Promise.promise();
    // The controller's state belongs to its context; a stop comes from a signal thread.
    control.runOnContext(v -> controller.stop().onComplete(stopped));
    return stopped.future().onComplete(ar -> {
      driverThread.shutdown();
      probeThread.shutdown();
    });
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return task -> {
      Thread t = new Thread(task, name);
      t.setDaemon(true);
      return t;
    };
  }

  /** A standalone node has nobody to beat to. */
  private static final class Alone implements Heartbeats {
    @Override
    public Future<Void> open(Consumer<Heartbeat> receiver) {
      return Future.succeededFuture();
    }

    @Override
    public void send(Heartbeat beat) {}

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
