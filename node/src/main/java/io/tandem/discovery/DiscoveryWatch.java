package io.tandem.discovery;

import io.tandem.cluster.DiscoveredSet;
import io.tandem.config.DiscoverConfig;
import io.tandem.dns.DnsLookup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of one {@code discover:} entry, without I/O: how a new answer (or a failure) turns the last published set
 * into the next one, and when to ask again. Pure functions of their inputs, so that the control loop in
 * {@link Discovery} stays small and these rules are tested with plain values.
 */
final class DiscoveryWatch {
  /** SRV weights are 0..65535; Tandem's are 1..256. */
  static final int MAX_WEIGHT = 256;

  private DiscoveryWatch() {}

  /**
   * The set after a successful answer. Addresses in the answer are active (a returning one under its old id, so its
   * sessions, health and counts stay); those that left it are marked leaving at {@code nowMillis} and dropped once
   * they have been leaving for the entry's drain grace. An empty answer keeps the last good set (status EMPTY).
   */
  static DiscoveredSet answered(DiscoverConfig entry, DiscoveredSet last, DnsLookup.Answer answer, long nowMillis,
      String node) {
    List<DiscoveredSet.Endpoint> previous = last == null ? List.of() : last.backends();
    if (answer.endpoints().isEmpty()) {
      return kept(last, new DiscoveredSet(expire(entry, previous, nowMillis), DiscoveredSet.Status.EMPTY,
          "the name has no " + records(entry) + " records", nowMillis, node));
    }
    Map<String, Integer> weights = weights(entry, answer.endpoints());
    Map<String, DiscoveredSet.Endpoint> next = new java.util.TreeMap<>();
    for (DnsLookup.Endpoint e : answer.endpoints()) {
      next.put(e.id(), new DiscoveredSet.Endpoint(e.id(), e.host(), e.port(), weights.get(e.id()), e.priority(), 0));
    }
    for (DiscoveredSet.Endpoint old : previous) {
      if (next.containsKey(old.id())) {
        continue;
      }
      long since = old.leaving() ? old.leavingSinceMillis() : nowMillis;
      if (nowMillis - since < entry.drainGrace().toMillis()) {
        next.put(old.id(), new DiscoveredSet.Endpoint(old.id(), old.host(), old.port(), old.weight(), old.priority(),
            since));
      }
    }
    return kept(last, new DiscoveredSet(new ArrayList<>(next.values()), DiscoveredSet.Status.OK, null, nowMillis,
        node));
  }

  /** The set after a failed resolution: the last good backends stay (those leaving still expire), status FAILED. */
  static DiscoveredSet failed(DiscoverConfig entry, DiscoveredSet last, String error, long nowMillis, String node) {
    List<DiscoveredSet.Endpoint> previous = last == null ? List.of() : last.backends();
    return kept(last, new DiscoveredSet(expire(entry, previous, nowMillis), DiscoveredSet.Status.FAILED, error,
        nowMillis, node));
  }

  /** {@code next}, or {@code last} itself when nothing but the time differs (so nothing is published). */
  private static DiscoveredSet kept(DiscoveredSet last, DiscoveredSet next) {
    return next.differsFrom(last) ? next : last;
  }

  /** When to ask again after an answer: its TTL, within the entry's bounds; sooner if a leaving backend expires. */
  static Duration nextAfterAnswer(DiscoverConfig entry, DnsLookup.Answer answer, DiscoveredSet set, long nowMillis) {
    Duration ttl = answer.ttlSeconds() < 0 ? entry.maxInterval() : Duration.ofSeconds(answer.ttlSeconds());
    return sooner(clamp(ttl, entry.minInterval(), entry.maxInterval()), entry, set, nowMillis);
  }

  /**
   * When to ask again after {@code failures} failures in a row: the min interval doubled each time, up to the max;
   * sooner if a leaving backend expires.
   */
  static Duration nextAfterFailure(DiscoverConfig entry, int failures, DiscoveredSet set, long nowMillis) {
    long min = entry.minInterval().toMillis();
    long delay = min << Math.min(20, Math.max(0, failures - 1));
    return sooner(clamp(Duration.ofMillis(delay), entry.minInterval(), entry.maxInterval()), entry, set, nowMillis);
  }

  private static Duration sooner(Duration delay, DiscoverConfig entry, DiscoveredSet set, long nowMillis) {
    long grace = entry.drainGrace().toMillis();
    for (DiscoveredSet.Endpoint e : set == null ? List.<DiscoveredSet.Endpoint>of() : set.backends()) {
      if (e.leaving()) {
        long left = Math.max(1, e.leavingSinceMillis() + grace - nowMillis);
        if (left < delay.toMillis()) {
          delay = Duration.ofMillis(left);
        }
      }
    }
    return delay;
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }

  /** Keeps the backends, dropping those whose drain grace is over. */
  private static List<DiscoveredSet.Endpoint> expire(DiscoverConfig entry, List<DiscoveredSet.Endpoint> backends,
      long nowMillis) {
    long grace = entry.drainGrace().toMillis();
    return backends.stream().filter(e -> !e.leaving() || nowMillis - e.leavingSinceMillis() < grace).toList();
  }

  /**
   * Each endpoint's weight: the entry's for an address name; for SRV the record's, 0 counted as 1, scaled down in
   * proportion when the largest is above 256 (so 1000/3000 becomes 85/256, the same shares).
   */
  private static Map<String, Integer> weights(DiscoverConfig entry, List<DnsLookup.Endpoint> endpoints) {
    Map<String, Integer> weights = new HashMap<>();
    if (entry.type() != DiscoverConfig.Type.SRV) {
      endpoints.forEach(e -> weights.put(e.id(), entry.weight()));
      return weights;
    }
    int max = endpoints.stream().mapToInt(DnsLookup.Endpoint::weight).max().orElse(1);
    for (DnsLookup.Endpoint e : endpoints) {
      int w = Math.max(1, e.weight());
      if (max > MAX_WEIGHT) {
        w = (int) Math.max(1, Math.round((double) w * MAX_WEIGHT / max));
      }
      weights.put(e.id(), w);
    }
    return weights;
  }

  private static String records(DiscoverConfig entry) {
    return switch (entry.type()) {
      case SRV -> "SRV";
      case IPV4 -> "A";
      case IPV6 -> "AAAA";
      case ANY -> "A or AAAA";
    };
  }
}
