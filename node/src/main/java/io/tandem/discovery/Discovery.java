package io.tandem.discovery;

import io.tandem.cluster.BackendChange;
import io.tandem.cluster.DiscoveredSet;
import io.tandem.cluster.Membership;
import io.tandem.cluster.Rendezvous;
import io.tandem.cluster.RuntimeState;
import io.tandem.config.DiscoverConfig;
import io.tandem.config.PoolConfig;
import io.tandem.dns.DnsLookup;
import io.tandem.util.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Follows the pools' {@code discover:} entries. For each entry one node of the cluster (the rendezvous owner of the
 * entry's key among the live members, on the side that holds quorum) asks DNS, applies {@link DiscoveryWatch}'s
 * rules to the set last published and publishes the next set through the {@link RuntimeState} when it changed, so
 * every node applies the same backends at the same version. When the owner leaves, the new owner starts from the
 * last published set. Everything runs on the control executor; DNS answers come back to it.
 *
 * <pre>{@code
 * Discovery discovery = new Discovery(lookup::lookup, shared.runtime(), shared.membership(), nodeId,
 *     System::currentTimeMillis, scheduler, control);
 * discovery.apply(config.pools());   // at start and on every reload
 * }</pre>
 */
public final class Discovery implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(Discovery.class);

  /** Asks DNS for one entry's records. */
  @FunctionalInterface
  public interface Resolver {
    CompletionStage<DnsLookup.Answer> lookup(DiscoverConfig.Type type, String name, int port);
  }

  private final Resolver resolver;
  private final RuntimeState runtime;
  private final Membership membership;
  private final String nodeId;
  private final LongSupplier wallMillis;
  private final Scheduler scheduler;
  private final Executor control;
  private final Map<String, Watch> watches = new LinkedHashMap<>();   // by discoveredKey; control thread only
  private volatile List<Status> status = List.of();
  private boolean closed;

  public Discovery(Resolver resolver, RuntimeState runtime, Membership membership, String nodeId,
      LongSupplier wallMillis, Scheduler scheduler, Executor control) {
    this.resolver = resolver;
    this.runtime = runtime;
    this.membership = membership;
    this.nodeId = nodeId;
    this.wallMillis = wallMillis;
    this.scheduler = scheduler;
    this.control = control;
    membership.addListener(members -> control.execute(this::reown));
    runtime.addListener(changes -> control.execute(this::refreshStatus));
  }

  /** What one entry looks like from this node, for the admin API and metrics. */
  public record Status(String pool, DiscoverConfig entry, DiscoveredSet published, long version, boolean resolving,
      String owner, long lastSuccessMillis, long nextResolutionMillis, int failures, long resolutionsOk,
      long resolutionsFailed, long resolutionsEmpty) {}

  /** Each entry as this node sees it, in configuration order. Any thread. */
  public List<Status> status() {
    return status;
  }

  /** Follows the entries of {@code pools} (start-up and reloads): new ones start, gone ones stop. Control thread. */
  public void apply(List<PoolConfig> pools) {
    Map<String, Watch> next = new LinkedHashMap<>();
    for (PoolConfig pool : pools) {
      for (DiscoverConfig entry : pool.discover()) {
        String key = BackendChange.discoveredKey(pool.name(), entry.key());
        Watch w = watches.remove(key);
        if (w != null && w.entry.equals(entry)) {
          next.put(key, w);
        } else {
          if (w != null) {
            w.stop();
          }
          next.put(key, new Watch(pool.name(), entry, key));
        }
      }
    }
    watches.values().forEach(Watch::stop);
    watches.clear();
    watches.putAll(next);
    reown();
  }

  /** Starts or stops resolving each entry as this node becomes or stops being its owner. */
  private void reown() {
    if (closed) {
      return;
    }
    List<String> live = membership.members().stream().map(Membership.Member::nodeId).toList();
    boolean quorum = membership.hasQuorum();
    for (Watch w : watches.values()) {
      w.owner = Rendezvous.owner(w.key, live);
      boolean mine = quorum && nodeId.equals(w.owner);
      if (mine && !w.resolving) {
        w.start();
      } else if (!mine && w.resolving) {
        w.stop();
      }
    }
    refreshStatus();
  }

  private void refreshStatus() {
    List<Status> list = new ArrayList<>(watches.size());
    Map<String, BackendChange> current = runtime.current();
    for (Watch w : watches.values()) {
      BackendChange c = current.get(w.key);
      list.add(new Status(w.pool, w.entry, c == null ? null : c.discovered(), c == null ? 0 : c.version(),
          w.resolving, w.owner, w.lastSuccessMillis, w.nextMillis, w.failures, w.ok.sum(), w.failed.sum(),
          w.empty.sum()));
    }
    status = List.copyOf(list);
  }

  @Override
  public void close() {
    closed = true;
    watches.values().forEach(Watch::stop);
  }

  /** One entry on this node. Control thread only. */
  private final class Watch {
    final String pool;
    final DiscoverConfig entry;
    final String key;
    String owner;
    boolean resolving;
    long generation;     // bumped on each start and stop: an answer for an older one is ignored
    Scheduler.Cancellable timer;
    DiscoveredSet mine;  // the set this node last published while owning the entry, or null
    int failures;
    long lastSuccessMillis;
    long nextMillis;
    boolean publishing;
    final LongAdder ok = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder empty = new LongAdder();

    Watch(String pool, DiscoverConfig entry, String key) {
      this.pool = pool;
      this.entry = entry;
      this.key = key;
    }

    void start() {
      resolving = true;
      generation++;
      mine = null;   // start from the published set, whoever published it
      LOG.info("discovery {} of pool {}: this node resolves it", entry.key(), pool);
      resolve();
    }

    void stop() {
      if (resolving) {
        LOG.info("discovery {} of pool {}: resolved by {} from now on", entry.key(), pool, owner);
      }
      resolving = false;
      generation++;
      nextMillis = 0;
      if (timer != null) {
        timer.cancel();
        timer = null;
      }
    }

    private void resolve() {
      long gen = generation;
      timer = null;
      CompletionStage<DnsLookup.Answer> asked;
      try {
        asked = resolver.lookup(entry.type(), entry.name(), entry.port());
      } catch (RuntimeException e) {
        asked = java.util.concurrent.CompletableFuture.failedFuture(e);
      }
      asked.whenComplete((answer, error) -> control.execute(() -> {
        if (gen != generation || closed) {
          return;
        }
        long now = wallMillis.getAsLong();
        DiscoveredSet last = base();
        DiscoveredSet next;
        Duration delay;
        if (error != null) {
          failures++;
          failed.increment();
          String why = DnsLookup.describe(error);
          next = DiscoveryWatch.failed(entry, last, why, now, nodeId);
          delay = DiscoveryWatch.nextAfterFailure(entry, failures, next, now);
          if (failures == 1 || failures % 10 == 0) {
            LOG.warn("discovery {} of pool {} failed ({} in a row), keeping the last {} backends: {}", entry.key(),
                pool, failures, next.backends().size(), why);
          }
        } else {
          next = DiscoveryWatch.answered(entry, last, answer, now, nodeId);
          if (next.status() == DiscoveredSet.Status.EMPTY) {
            failures++;
            empty.increment();
            delay = DiscoveryWatch.nextAfterFailure(entry, failures, next, now);
            if (failures == 1 || failures % 10 == 0) {
              LOG.warn("discovery {} of pool {}: the answer is empty ({} in a row), keeping the last {} backends",
                  entry.key(), pool, failures, next.backends().size());
            }
          } else {
            if (failures > 0) {
              LOG.info("discovery {} of pool {} answers again after {} failures", entry.key(), pool, failures);
            }
            failures = 0;
            ok.increment();
            lastSuccessMillis = now;
            delay = DiscoveryWatch.nextAfterAnswer(entry, answer, next, now);
          }
        }
        publish(last, next);
        nextMillis = now + delay.toMillis();
        timer = scheduler.schedule(delay, () -> control.execute(() -> {
          if (gen == generation && !closed) {
            resolve();
          }
        }));
        refreshStatus();
      }));
    }

    /** The set the next one is computed from: this node's last publication, else the cluster's. */
    private DiscoveredSet base() {
      if (mine != null) {
        return mine;
      }
      BackendChange c = runtime.current().get(key);
      return c == null ? null : c.discovered();
    }

    private void publish(DiscoveredSet last, DiscoveredSet next) {
      if (next == null || !next.differsFrom(last) || publishing) {
        return;
      }
      publishing = true;
      long gen = generation;
      runtime.apply(BackendChange.discovered(pool, entry.key(), next)).whenComplete((version, error) ->
          control.execute(() -> {
            publishing = false;
            if (error != null) {
              LOG.warn("discovery {} of pool {}: cannot publish {} backends, will retry: {}", entry.key(), pool,
                  next.backends().size(), DnsLookup.describe(error));
              return;
            }
            if (gen == generation) {
              mine = next;
            }
            LOG.info("discovery {} of pool {}: {} backends ({}) published as version {}", entry.key(), pool,
                next.backends().size(), describe(next), version);
          }));
    }
  }

  private static String describe(DiscoveredSet set) {
    List<String> parts = new ArrayList<>();
    for (DiscoveredSet.Endpoint e : set.backends()) {
      parts.add(e.id() + (e.leaving() ? " leaving" : "") + (e.priority() > 0 ? " p" + e.priority() : ""));
    }
    return String.join(", ", parts) + (set.status() == DiscoveredSet.Status.OK ? "" : "; "
        + set.status().name().toLowerCase(java.util.Locale.ROOT) + (set.error() == null ? "" : ": " + set.error()));
  }

  /** For tests: the entries this node resolves now. */
  List<String> resolving() {
    List<String> keys = new ArrayList<>();
    watches.forEach((k, w) -> {
      if (w.resolving) {
        keys.add(k);
      }
    });
    return keys;
  }
}
