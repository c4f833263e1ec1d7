package io.tandem.limits;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of this node's limits for the admin API, metrics and dashboard: every rate-limit rule with its fill and
 * counts, and every refusal counted by reason.
 *
 * @param rules    rate-limit rules of every listener
 * @param refusals refusals by reason label (e.g. {@code rate_limited}, {@code client_connections}), this node
 */
public record LimitsStatus(List<Rule> rules, Map<String, Long> refusals) {

  /**
   * @param listener   the listener the rule belongs to
   * @param rule       the rule's name
   * @param rate       requests per {@code period}, cluster-wide
   * @param period     period of {@code rate}
   * @param burst      bucket size, cluster-wide
   * @param keysTracked buckets this node holds now (keys seen recently whose bucket is not full)
   * @param maxKeys    most buckets this node holds
   * @param admitted   requests admitted by this node since start (or since the rule last changed)
   * @param refused    requests refused (429) by this node
   * @param overflowed requests of new keys that found {@code maxKeys} reached and shared the overflow bucket
   */
  public record Rule(String listener, String rule, long rate, Duration period, int burst, int keysTracked, int maxKeys,
      long admitted, long refused, long overflowed) {}
}
