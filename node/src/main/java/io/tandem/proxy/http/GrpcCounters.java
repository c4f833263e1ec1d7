package io.tandem.proxy.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A listener's finished gRPC calls, by service, method and {@code grpc-status}, for the metrics. The names come from
 * clients, so the series are bounded: after {@value #MAX_METHODS} distinct service/method pairs, further ones count
 * under {@code service="other", method="other"} (a client inventing method names cannot grow the scrape). Counted on
 * the event loops without a lock.
 */
public final class GrpcCounters {
  static final int MAX_METHODS = 256;

  /** One series: a service, a method, a status and how many calls ended so. */
  public record Series(String service, String method, String status, long calls) {}

  private record Key(String service, String method, String status) {}

  private final ConcurrentHashMap<Key, LongAdder> calls = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Boolean> methods = new ConcurrentHashMap<>();

  void record(Grpc.Call call) {
    String pair = call.service() + '/' + call.method();
    boolean known = methods.containsKey(pair);
    if (!known && methods.size() < MAX_METHODS) {
      methods.putIfAbsent(pair, Boolean.TRUE);   // loops racing here may pass the bound by a few, never more
      known = true;
    }
    Key key = known ? new Key(call.service(), call.method(), call.status()) : new Key("other", "other", call.status());
    LongAdder n = calls.get(key);
    if (n == null) {
      n = calls.computeIfAbsent(key, k -> new LongAdder());
    }
    n.increment();
  }

  /** Every series so far. */
  public List<Series> series() {
    List<Series> all = new ArrayList<>(calls.size());
    calls.forEach((k, n) -> all.add(new Series(k.service(), k.method(), k.status(), n.sum())));
    return all;
  }
}
