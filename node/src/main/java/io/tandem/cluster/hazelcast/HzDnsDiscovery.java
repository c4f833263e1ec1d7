package io.tandem.cluster.hazelcast;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.AbstractDiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import com.hazelcast.spi.discovery.SimpleDiscoveryNode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.tandem.config.ClusterConfig;
import io.tandem.config.DnsConfig;
import io.tandem.dns.DnsLookup;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Hazelcast's member discovery for {@code cluster.discovery: dns}: the members are the A/AAAA records of one name (a
 * Kubernetes headless service), each on the one member port. Hazelcast asks {@link Strategy#discoverNodes()} on its own
 * threads when the member joins and again at every split-brain merge check ({@code hazelcast.merge.next.run.delay
 * .seconds}), which is how a member that starts later or moves to a new address is found by a running cluster.
 */
final class HzDnsDiscovery implements DiscoveryStrategyFactory {
  private static final Logger LOG = LogManager.getLogger(HzDnsDiscovery.class);

  private final ClusterConfig.MemberDiscovery members;
  private final DnsConfig dns;

  HzDnsDiscovery(ClusterConfig.MemberDiscovery members, DnsConfig dns) {
    this.members = members;
    this.dns = dns;
  }

  @Override
  public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
    return Strategy.class;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode local, ILogger logger, Map<String, Comparable> props) {
    return new Strategy(logger, props, members, dns);
  }

  @Override
  public Collection<PropertyDefinition> getConfigurationProperties() {
    return List.of();
  }

  /**
   * Resolves the name with Tandem's resolver on a small event loop of its own (started and stopped with the member);
   * blocking on the answer is fine here: Hazelcast calls this on its own threads, never on an event loop.
   */
  static final class Strategy extends AbstractDiscoveryStrategy {
    private final ClusterConfig.MemberDiscovery members;
    private final DnsConfig dns;
    private final long waitMillis;
    private final AtomicBoolean failing = new AtomicBoolean();
    private EventLoopGroup loop;
    private DnsLookup lookup;

    @SuppressWarnings("rawtypes")
    Strategy(ILogger logger, Map<String, Comparable> props, ClusterConfig.MemberDiscovery members, DnsConfig dns) {
      super(logger, props);
      this.members = members;
      this.dns = dns;
      // Every server may be asked in turn, each for the query time-out; then a little for the answer's way back.
      this.waitMillis = dns.timeout().toMillis() * Math.max(1, dns.resolvers().size()) + 1000;
    }

    @Override
    public synchronized void start() {
      loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tandem-member-dns", true),
          NioIoHandler.newFactory());
      lookup = DnsLookup.create(dns, loop.next(), NioDatagramChannel::new);
    }

    @Override
    public Iterable<DiscoveryNode> discoverNodes() {
      DnsLookup dnsLookup;
      synchronized (this) {
        dnsLookup = lookup;
      }
      if (dnsLookup == null) {
        return List.of();
      }
      try {
        DnsLookup.Answer answer = dnsLookup.addresses(members.name(), members.port()).toCompletableFuture()
            .get(waitMillis, TimeUnit.MILLISECONDS);
        List<DiscoveryNode> nodes = new ArrayList<>();
        for (DnsLookup.Endpoint e : answer.endpoints()) {
          nodes.add(new SimpleDiscoveryNode(new Address(e.host(), e.port())));
        }
        if (failing.compareAndSet(true, false)) {
          LOG.info("cluster members resolve again from {}: {}", members.name(),
              answer.endpoints().stream().map(DnsLookup.Endpoint::id).toList());
        }
        return nodes;
      } catch (ExecutionException | TimeoutException | UnknownHostException e) {
        if (failing.compareAndSet(false, true)) {
          LOG.warn("cluster members cannot be resolved from {}: {}; Hazelcast asks again (logged once until it "
              + "resolves)", members.name(), e instanceof TimeoutException ? "no answer within " + waitMillis
              + " ms" : DnsLookup.describe(e));
        }
        return List.of();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return List.of();
      }
    }

    @Override
    public synchronized void destroy() {
      if (lookup != null) {
        lookup.close();
        lookup = null;
      }
      if (loop != null) {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        loop = null;
      }
    }
  }
}
