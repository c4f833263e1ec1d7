package io.tandem.admin.metrics;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One node's Prometheus registry: the JVM figures from the start, Vert.x's own figures once {@link #newVertx} built
 * the node's Vert.x instance, and Tandem's once a {@link NodeMetrics} is built on it. Created before Vert.x, because
 * Vert.x takes its metrics factory at construction.
 *
 * <p>Vert.x domains ("basic"): worker and internal pools, deployed verticles, TCP server and client connections (the
 * L4 proxy), Netty's buffer allocator. Left out: per-request HTTP server and client metrics (a timer lookup and
 * several meter updates on every request and every backend exchange, duplicating Tandem's own per-listener and
 * per-backend figures), the event bus and datagrams (unused). Labels are the local address, pool type/name and
 * verticle class: never a client address or a path.
 */
public final class PrometheusMeters implements AutoCloseable {
  private static final AtomicInteger SEQ = new AtomicInteger();

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();

  public PrometheusMeters() {
    // Vert.x registers this gauge for both of its Netty groups under one id (and warns); the event loop count is known.
    registry.config().meterFilter(MeterFilter.denyNameStartsWith("netty.eventexecutor.workers"));
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
  }

  /** A Vert.x instance with {@code options} whose own metrics go to this registry. */
  public Vertx newVertx(VertxOptions options) {
    return newVertx(options, null);
  }

  /** The same on {@code transport} (null: Vert.x's choice by {@link VertxOptions#getPreferNativeTransport()}). */
  public Vertx newVertx(VertxOptions options, io.vertx.core.transport.Transport transport) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        // Vert.x keeps registries by name in a static map: one name per node, or nodes in one JVM would share one.
        .setRegistryName("tandem-" + SEQ.incrementAndGet())
        .setJvmMetricsEnabled(false)   // bound above, once
        .setNettyMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.LOCAL, Label.POOL_TYPE, Label.POOL_NAME, Label.CLASS_NAME))
        .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET);
    io.vertx.core.VertxBuilder builder = Vertx.builder()
        .with(new VertxOptions(options).setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory(registry));
    if (transport != null) {
      builder.withTransport(transport);
    }
    return builder.build();
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Every meter in the Prometheus text format (0.0.4). */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
