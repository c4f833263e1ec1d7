package io.tandem.limits;

import io.tandem.util.Outcome;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * What the admin API reads of one node's overload protection: its rate limits, pool guards, per-client connection
 * counts, and its refusals by listener and reason. The node builds one at start-up; the admin package reads it and
 * never reaches into the node.
 *
 * <pre>{@code
 * NodeLimits limits = new NodeLimits(rateLimits, poolGuards, clientConnections,
 *     () -> Map.of("web", NodeLimits.refusals(webRuntime::count)));   // {"web": {"rate_limited": 12}}
 * }</pre>
 *
 * @param rateLimits        every rate-limit rule of the node
 * @param poolGuards        circuit breakers, retry budgets and slow starts per pool
 * @param clientConnections open connections per listener and client address on this node
 * @param refusals          refusals on this node by listener, then by reason label (only reasons above zero)
 */
public record NodeLimits(RateLimits rateLimits, PoolGuards poolGuards, ClientConnections clientConnections,
    Supplier<Map<String, Map<String, Long>>> refusals) {

  /** The outcomes that are a limit refusing a request or connection (each is a refusal reason). */
  public static final Set<Outcome> REFUSALS = EnumSet.of(Outcome.RATE_LIMITED, Outcome.CLIENT_CONNECTIONS,
      Outcome.LISTENER_FULL, Outcome.TOO_MANY_HEADERS, Outcome.HEADERS_TOO_LARGE, Outcome.URI_TOO_LONG,
      Outcome.BODY_TOO_LARGE, Outcome.CLIENT_TIMEOUT, Outcome.QUEUE_FULL, Outcome.QUEUE_TIMEOUT,
      Outcome.CIRCUIT_OPEN);

  /** One listener's refusals by reason label (reasons above zero only), from its outcome counter. */
  public static Map<String, Long> refusals(ToLongFunction<Outcome> count) {
    Map<String, Long> out = new TreeMap<>();
    for (Outcome o : REFUSALS) {
      long n = count.applyAsLong(o);
      if (n > 0) {
        out.put(o.label(), n);
      }
    }
    return out;
  }
}
