package io.tandem.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.tandem.config.PoolConfig;
import io.tandem.proxy.h1.BackendConnections;
import io.tandem.util.Clock;
import io.tandem.util.Scheduler;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * What the connections of one HTTP listener share on one event loop: the loop as an executor, the scheduler for
 * timers, the resolver for backend names, and per pool the idle backend connections ({@link BackendConnections}).
 * Confined to the loop, so nothing here needs a lock.
 */
final class Http1Loop {
  private final ListenerRuntime runtime;
  private final Executor executor;
  private final Scheduler scheduler;
  private final AddressResolverGroup<?> resolver;
  private final Map<String, Pooled> pools = new HashMap<>();

  /** A pool's idle connections and the settings they were made with (a reload that changes them starts afresh). */
  private record Pooled(int maxIdle, long idleMillis, BackendConnections connections) {}

  Http1Loop(ListenerRuntime runtime, Executor executor, Scheduler scheduler, AddressResolverGroup<?> resolver) {
    this.runtime = runtime;
    this.executor = executor;
    this.scheduler = scheduler;
    this.resolver = resolver;
  }

  ListenerRuntime runtime() {
    return runtime;
  }

  Executor executor() {
    return executor;
  }

  Scheduler scheduler() {
    return scheduler;
  }

  /**
   * The idle connections of {@code pool} on {@code client}'s loop; new backend channels get the client channel's
   * class, so whatever transport accepted the client (epoll, io_uring, NIO) carries the backend side too.
   */
  BackendConnections connections(PoolConfig pool, Channel client) {
    int maxIdle = Math.max(1, pool.connectionPoolSize());
    long idleMillis = pool.timeouts().idle().toMillis();
    Pooled p = pools.get(pool.name());
    if (p == null || p.maxIdle != maxIdle || p.idleMillis != idleMillis) {
      if (p != null) {
        p.connections.closeAll();
      }
      EventLoop loop = client.eventLoop();
      BackendConnections c = new BackendConnections(loop, client.getClass(), maxIdle, pool.timeouts().idle(),
          Clock.SYSTEM).resolver(resolver);
      p = new Pooled(maxIdle, idleMillis, c);
      pools.put(pool.name(), p);
    }
    return p.connections;
  }

  /** Closes every idle backend connection (the listener stops on this loop). */
  void close() {
    pools.values().forEach(p -> p.connections.closeAll());
    pools.clear();
  }
}
