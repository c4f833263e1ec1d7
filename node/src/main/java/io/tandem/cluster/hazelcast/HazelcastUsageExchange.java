package io.tandem.cluster.hazelcast;

import io.tandem.cluster.UsageExchange;
import io.tandem.cluster.hazelcast.HazelcastMembership;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.topic.ITopic;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@link UsageExchange} over a Hazelcast {@code ITopic} ({@value #TOPIC}): each publication is one message of
 * deltas, delivered in order to every other member (a member ignores its own). A topic rather than a map because the
 * counts are deltas: a map entry would be overwritten before everyone read it.
 */
final class HazelcastUsageExchange implements UsageExchange {
  static final String TOPIC = "tandem-usage";
  private static final Logger LOG = LogManager.getLogger(HazelcastUsageExchange.class);

  private final ITopic<HashMap<String, Long>> topic;
  private final HazelcastMembership membership;
  private final List<Consumer<Map<String, Long>>> consumers = new CopyOnWriteArrayList<>();

  HazelcastUsageExchange(HazelcastInstance hz, HazelcastMembership membership) {
    this.membership = membership;
    this.topic = hz.getTopic(TOPIC);
    java.util.UUID self = hz.getCluster().getLocalMember().getUuid();
    topic.addMessageListener(message -> {
      // A member hears its own messages too (and the member in them is not marked local): skip them by uuid.
      if (message.getPublishingMember() == null || self.equals(message.getPublishingMember().getUuid())) {
        return;
      }
      for (Consumer<Map<String, Long>> c : consumers) {
        try {
          c.accept(message.getMessageObject());
        } catch (RuntimeException e) {
          LOG.debug("usage delivery failed: {}", e.toString());
        }
      }
    });
  }

  @Override
  public void publish(Map<String, Long> admitted) {
    if (admitted.isEmpty()) {
      return;
    }
    try {
      topic.publishAsync(new HashMap<>(admitted));
    } catch (RuntimeException e) {
      // The cluster is unhappy: the others admit a little more meanwhile, which the stated bound allows.
      LOG.debug("usage not published: {}", e.toString());
    }
  }

  @Override
  public void onOthers(Consumer<Map<String, Long>> consumer) {
    consumers.add(consumer);
  }

  @Override
  public int nodes() {
    return Math.max(1, membership.liveNodeIds().size());
  }
}
