package io.tandem.health;

import io.tandem.cluster.HealthState;
import io.tandem.cluster.HealthBoard;
import io.tandem.config.BackendConfig;
import io.tandem.config.HealthConfig;
import io.tandem.config.PoolConfig;
import io.tandem.health.HealthStateMachine.Transition;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Runs the active checks of every backend whose pool has {@code health.active}, and publishes verdict changes and
 * each probe's result (for operators) to the {@link HealthBoard}.
 *
 * <p>Per backend, one loop on the {@link Scheduler}: the first probe runs right away (after a small deterministic
 * stagger, {@link #firstDelay}), each next one {@code interval} after the previous outcome. Before each probe the loop
 * asks the board whether this node is the backend's checker; if not, it stays idle but keeps ticking, ready to take
 * over. When it (re)starts probing it seeds its {@link HealthStateMachine} with the board's current verdict, so only
 * real changes are published. Outcomes are handled on the scheduler, never on the thread that completed the probe.
 *
 * <p>Pools without active checks get no loops and no verdicts (PENDING serves traffic).
 */
public final class ActiveHealthChecker implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(ActiveHealthChecker.class);

  /** Upper bound of the first-probe stagger. */
  static final Duration MAX_STAGGER = Duration.ofMillis(200);

  /**
   * The last probe outcome of a backend.
   *
   * @param result  what the probe saw
   * @param atNanos when, on the checker's {@link Clock}
   * @param state   the state machine's state after it
   */
  public record LastCheck(ProbeResult result, long atNanos, HealthState state) {}

  private final Function<HealthConfig.Active, Probe> probes;
  private final HealthBoard board;
  private final Scheduler scheduler;
  private final Clock clock;
  private final Map<String, Loop> loops = new ConcurrentHashMap<>();
  private boolean closed;

  /**
   * @param probes builds the probe of a check config, e.g. {@code new Probes(vertx)::forConfig}
   */
  public ActiveHealthChecker(Function<HealthConfig.Active, Probe> probes, HealthBoard board, Scheduler scheduler,
      Clock clock) {
    this.probes = probes;
    this.board = board;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /**
   * Starts, keeps or stops loops to match {@code pools}. A backend keeps its loop and state when its pool, id, host,
   * port and check settings are unchanged; other changes restart it.
   */
  public synchronized void apply(List<PoolConfig> pools) {
    if (closed) {
      // A pools change that arrives during a stop (a rebuild after a member left, say) has nothing left to check.
      return;
    }
    Set<String> wanted = new HashSet<>();
    for (PoolConfig pool : pools) {
      HealthConfig.Active active = pool.health() == null ? null : pool.health().active();
      if (active == null) {
        continue;
      }
      for (BackendConfig b : pool.backends()) {
        String key = key(pool.name(), b.id());
        wanted.add(key);
        Loop old = loops.get(key);
        if (old != null && old.sameAs(b, active)) {
          continue;
        }
        if (old != null) {
          old.stop();
        }
        Loop loop = new Loop(pool.name(), b, active, probes.apply(active));
        loops.put(key, loop);
        loop.start();
      }
    }
    loops.entrySet().removeIf(e -> {
      if (wanted.contains(e.getKey())) {
        return false;
      }
      e.getValue().stop();
      board.withdrawCheck(e.getValue().pool, e.getValue().backend.id());
      return true;
    });
  }

  /** The last outcome for a backend, or null when it has none (not checked yet, not checked here, or removed). */
  /**
   * Probes a backend now instead of at its next interval (another node's traffic reported it as failing). Ignored
   * when this node is not its checker or a probe is already under way. Call on the scheduler's thread.
   */
  public void probeNow(String pool, String backendId) {
    Loop loop = loops.get(key(pool, backendId));
    if (loop != null) {
      loop.probeNow();
    }
  }

  public LastCheck lastResult(String pool, String backendId) {
    Loop loop = loops.get(key(pool, backendId));
    return loop == null ? null : loop.last;
  }

  /** Stops every loop; probes in flight are ignored when they complete. */
  @Override
  public synchronized void close() {
    closed = true;
    loops.values().forEach(Loop::stop);
    loops.clear();
  }

  /** Delay of a backend's first probe: in [0, min(interval, {@link #MAX_STAGGER})), stable for a pool and id. */
  static Duration firstDelay(String pool, String backendId, Duration interval) {
    long spread = Math.min(interval.toMillis(), MAX_STAGGER.toMillis());
    if (spread <= 0) {
      return Duration.ZERO;
    }
    int h = (pool + '/' + backendId).hashCode() * 0x9E3779B9; // spread similar ids apart
    return Duration.ofMillis(Integer.toUnsignedLong(h) % spread);
  }

  private static String key(String pool, String backendId) {
    return pool + '\u0000' + backendId;
  }

  /** The check loop of one backend. Its state machine is touched only by scheduler tasks, one at a time. */
  private final class Loop {
    private final String pool;
    private final BackendConfig backend;
    private final HealthConfig.Active active;
    private final Probe probe;
    private final ProbeTarget target;
    private HealthStateMachine machine; // null while idle (not the checker)
    private volatile boolean stopped;
    private volatile Scheduler.Cancellable timer;
    private volatile LastCheck last;
    private boolean probing;

    Loop(String pool, BackendConfig backend, HealthConfig.Active active, Probe probe) {
      this.pool = pool;
      this.backend = backend;
      this.active = active;
      this.probe = probe;
      this.target = new ProbeTarget(pool, backend.id(), backend.host(), backend.port());
    }

    boolean sameAs(BackendConfig b, HealthConfig.Active a) {
      return b.host().equals(backend.host()) && b.port() == backend.port() && a.equals(active);
    }

    void start() {
      timer = scheduler.schedule(firstDelay(pool, backend.id(), active.interval()), this::tick);
    }

    void probeNow() {
      if (stopped || probing || !board.isChecker(pool, backend.id())) {
        return;
      }
      Scheduler.Cancellable t = timer;
      if (t != null) {
        t.cancel();
      }
      LOG.debug("health {}/{}: reported as suspect, probing now", pool, backend.id());
      timer = scheduler.schedule(Duration.ZERO, this::tick);
    }

    void stop() {
      stopped = true;
      Scheduler.Cancellable t = timer;
      if (t != null) {
        t.cancel();
      }
    }

    private void tick() {
      if (stopped) {
        return;
      }
      if (!isChecker()) {
        next();
        return;
      }
      if (machine == null) {
        machine = new HealthStateMachine(active.rise(), active.fall(), board.verdict(pool, backend.id()));
        LOG.debug("health {}/{}: checking, starting from {}", pool, backend.id(), machine.state());
      }
      long start = clock.nanoTime();
      probing = true;
      try {
        probe.probe(target).onComplete(ar -> {
          ProbeResult r = ar.succeeded()
              ? ar.result()
              : ProbeResult.failed(ar.cause(), active.timeout(), Duration.ofNanos(clock.nanoTime() - start));
          scheduler.schedule(Duration.ZERO, () -> onResult(r));
        });
      } catch (RuntimeException e) {
        scheduler.schedule(Duration.ZERO, () -> onResult(ProbeResult.failed(e, active.timeout(), Duration.ZERO)));
      }
    }

    private void onResult(ProbeResult r) {
      probing = false;
      if (stopped) {
        return;
      }
      if (!isChecker()) { // lost the backend while the probe was in flight
        next();
        return;
      }
      Transition t = machine.record(r.ok());
      last = new LastCheck(r, clock.nanoTime(), machine.state());
      board.publishCheck(pool, backend.id(), new HealthBoard.CheckResult(null, r.ok(), r.detail(),
          r.latency().toNanos() / 1000, System.currentTimeMillis()));
      if (t != null) {
        LOG.info("health {}/{}: {} -> {} ({})", pool, backend.id(), t.from(), t.to(), r.detail());
        board.publish(pool, backend.id(), t.to());
      }
      next();
    }

    private boolean isChecker() {
      if (board.isChecker(pool, backend.id())) {
        return true;
      }
      if (machine != null) {
        LOG.debug("health {}/{}: another node checks it now", pool, backend.id());
        machine = null;
      }
      return false;
    }

    private void next() {
      if (!stopped) {
        timer = scheduler.schedule(active.interval(), this::tick);
      }
    }
  }
}
