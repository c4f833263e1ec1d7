package io.tandem.admin.metrics;

import static io.tandem.testing.TestConfigs.config;
import static io.tandem.testing.TestConfigs.listener;
import static io.tandem.testing.TestConfigs.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tandem.affinity.AffinityTable;
import io.tandem.cluster.ConnectionCounts;
import io.tandem.cluster.HealthBoard;
import io.tandem.cluster.LocalSharedState;
import io.tandem.cluster.Membership;
import io.tandem.cluster.RuntimeState;
import io.tandem.cluster.SharedState;
import io.tandem.testing.ManualClock;
import io.tandem.testing.ManualScheduler;
import io.tandem.upstream.UpstreamRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The replication-lag gauges follow the peers the connection counts hear from; fed by hand, no cluster. */
class PeerLagMetricsTest {
  private final Map<String, Long> ages = new ConcurrentHashMap<>();
  private final PrometheusMeters meters = new PrometheusMeters();

  @AfterEach
  void close() {
    meters.close();
  }

  @Test
  void onePeerGaugePerPeerHeardFromRemovedWhenItLeaves() {
    ManualClock clock = new ManualClock();
    SharedState shared = new PeerCounts(new LocalSharedState("n1", clock));
    UpstreamRegistry upstream = new UpstreamRegistry(shared, clock, new ManualScheduler(clock), Runnable::run);
    upstream.apply(config(1, listener("web"), pool("app").backend("b1", 1)));
    NodeMetrics metrics = new NodeMetrics(meters, upstream, name -> null, shared);

    ages.put("n2", 250L);
    ages.put("n3", 4_000L);
    PrometheusText m = new PrometheusText(metrics.scrape());
    assertEquals(0.25, m.value("tandem_cluster_peer_counts_age_seconds", "node", "n2"));
    assertEquals(4.0, m.value("tandem_cluster_peer_counts_age_seconds", "node", "n3"));
    assertEquals(1, m.value("tandem_node_info", "node", "n1"));

    ages.remove("n3");
    m = new PrometheusText(metrics.scrape());
    assertEquals(0.25, m.value("tandem_cluster_peer_counts_age_seconds", "node", "n2"));
    assertTrue(m.find("tandem_cluster_peer_counts_age_seconds", "node", "n3").isEmpty(), "n3 left: its gauge is gone");
  }

  /** A single node's shared state whose connection counts report the ages this test sets. */
  private final class PeerCounts implements SharedState {
    private final LocalSharedState local;

    PeerCounts(LocalSharedState local) {
      this.local = local;
    }

    @Override
    public ConnectionCounts connections() {
      return new ConnectionCounts() {
        @Override
        public int othersActive(String pool, String backendId) {
          return 0;
        }

        @Override
        public Map<String, Long> publicationAgesMillis() {
          return Map.copyOf(ages);
        }
      };
    }

    @Override
    public String nodeId() {
      return local.nodeId();
    }

    @Override
    public AffinityTable affinity() {
      return local.affinity();
    }

    @Override
    public HealthBoard health() {
      return local.health();
    }

    @Override
    public RuntimeState runtime() {
      return local.runtime();
    }

    @Override
    public Membership membership() {
      return local.membership();
    }

    @Override
    public void close() {
      local.close();
    }
  }
}
