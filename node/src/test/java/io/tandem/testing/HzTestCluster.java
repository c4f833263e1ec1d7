package io.tandem.testing;

import static org.awaitility.Awaitility.await;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.properties.ClusterProperty;
import io.tandem.cluster.hazelcast.HazelcastAffinityTable;
import io.tandem.cluster.hazelcast.HazelcastRuntimeState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Real embedded Hazelcast members in this JVM: loopback only, TCP-IP join over free ports, no multicast, no
 * auto-detection, no phone-home, heartbeat 1 s and a member declared dead after 5 s of silence. Every member gets the
 * map settings of {@link HazelcastAffinityTable#configure} and {@link HazelcastRuntimeState#configure}.
 *
 * <pre>{@code
 * try (HzTestCluster cluster = HzTestCluster.start(3)) {
 *   HazelcastInstance n1 = cluster.member(0);
 *   cluster.terminate(1);   // crash
 * }
 * }</pre>
 */
public final class HzTestCluster implements AutoCloseable {
  public static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final String name = "tandem-test-" + UUID.randomUUID();
  private final List<Integer> ports;
  private final List<HazelcastInstance> members = new ArrayList<>();

  private HzTestCluster(int size) {
    this.ports = IntStream.range(0, size).map(i -> freePort()).boxed().toList();
  }

  /** Starts {@code size} members and waits until they all see each other. */
  public static HzTestCluster start(int size) {
    HzTestCluster cluster = new HzTestCluster(size);
    try {
      for (int i = 0; i < size; i++) {
        cluster.members.add(Hazelcast.newHazelcastInstance(cluster.config(i)));
      }
      await().atMost(TIMEOUT).until(() -> cluster.members.stream()
          .allMatch(m -> m.getCluster().getMembers().size() == size));
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  public HazelcastInstance member(int index) {
    return members.get(index);
  }

  public int size() {
    return members.size();
  }

  /** Graceful leave: the member hands its partitions over before it goes. */
  public void shutdown(int index) {
    members.get(index).shutdown();
  }

  /** Crash: the member vanishes without handing anything over. */
  public void terminate(int index) {
    members.get(index).getLifecycleService().terminate();
  }

  private Config config(int index) {
    Config config = new Config();
    config.setClusterName(name);
    config.setInstanceName(name + "-n" + (index + 1));
    config.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
    config.setProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), "1");
    config.setProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(), "5");
    config.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "0");
    config.setProperty(ClusterProperty.LOGGING_TYPE.getName(), "log4j2");
    config.setProperty(ClusterProperty.SOCKET_BIND_ANY.getName(), "false");
    config.setProperty("hazelcast.internal.map.expiration.task.period.seconds", "1");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(ports.get(index)).setPortAutoIncrement(false).setReuseAddress(true);
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    join.getMulticastConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    ports.forEach(p -> join.getTcpIpConfig().addMember("127.0.0.1:" + p));
    HazelcastAffinityTable.configure(config);
    HazelcastRuntimeState.configure(config);
    return config;
  }

  private static int freePort() {
    return MemberPorts.free();
  }

  @Override
  public void close() {
    members.forEach(m -> {
      if (m.getLifecycleService().isRunning()) {
        m.getLifecycleService().terminate();
      }
    });
  }
}
