package io.tandem.config;

import java.time.Duration;
import java.util.List;

/**
 * Reads a pool's {@code health} section. Either part may be left out; an empty {@code active: {}} means all defaults.
 * A grpc check is given the pool's backend TLS, which it speaks.
 */
final class HealthReader {
  static final HealthConfig.Active ACTIVE_DEFAULTS = new HealthConfig.Active(HealthConfig.CheckType.HTTP, "GET",
      "/health", null, 200, 399, null, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
  static final HealthConfig.Passive PASSIVE_DEFAULTS = new HealthConfig.Passive(5, Duration.ofSeconds(30), 50);

  private static final List<String> HTTP_ONLY = List.of("method", "path", "host", "expect-status", "expect-body");

  private HealthReader() {}

  static HealthConfig read(YamlMap health, BackendTlsConfig tls) {
    HealthConfig.Active active = health.has("active") ? active(health.map("active", "type", "method", "path", "host",
        "expect-status", "expect-body", "service", "interval", "timeout", "rise", "fall"), tls) : null;
    HealthConfig.Passive passive = health.has("passive")
        ? passive(health.map("passive", "consecutive-failures", "ejection-time", "max-ejection-percent")) : null;
    return new HealthConfig(active, passive);
  }

  private static HealthConfig.Active active(YamlMap active, BackendTlsConfig tls) {
    HealthConfig.Active d = ACTIVE_DEFAULTS;
    HealthConfig.CheckType type = active.choice("type", HealthConfig.CheckType.class, d.type());
    Duration interval = active.duration("interval", d.interval());
    Duration timeout = active.duration("timeout", d.timeout());
    int rise = active.integer("rise", d.rise(), 1, Integer.MAX_VALUE);
    int fall = active.integer("fall", d.fall(), 1, Integer.MAX_VALUE);
    if (type != HealthConfig.CheckType.GRPC && active.has("service")) {
      active.error("service", "applies only to type: grpc");
    }
    if (type != HealthConfig.CheckType.HTTP) {
      String instead = type == HealthConfig.CheckType.TCP ? "a tcp check only connects"
          : "a grpc check calls grpc.health.v1.Health/Check";
      for (String key : HTTP_ONLY) {
        if (active.has(key)) {
          active.error(key, "applies only to type: http; " + instead);
        }
      }
    }
    if (type == HealthConfig.CheckType.TCP) {
      return new HealthConfig.Active(type, null, null, null, 0, 0, null, interval, timeout, rise, fall);
    }
    if (type == HealthConfig.CheckType.GRPC) {
      return HealthConfig.Active.grpc(active.value("service", "", HealthReader::grpcService), tls, interval, timeout,
          rise, fall);
    }
    int[] status = active.value("expect-status", new int[] {d.expectStatusMin(), d.expectStatusMax()},
        Scalars::statusRange);
    return new HealthConfig.Active(type,
        active.value("method", d.method(), Scalars::method),
        active.value("path", d.path(), Scalars::urlPath),
        active.string("host", d.host()),
        status[0],
        status[1],
        active.string("expect-body", d.expectBody()),
        interval,
        timeout,
        rise,
        fall);
  }

  /** A gRPC service name as the health service knows it, e.g. {@code my.pkg.Echo}. */
  private static String grpcService(com.fasterxml.jackson.databind.JsonNode node) {
    if (node.isTextual() && node.textValue().isEmpty()) {
      throw new IllegalArgumentException("must not be empty; leave it out to ask about the server as a whole");
    }
    String s = Scalars.text(node);
    if (s.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
      throw new IllegalArgumentException("must be a gRPC service name like my.pkg.Echo (no spaces or control"
          + " characters), got " + Scalars.describe(node));
    }
    return s;
  }

  private static HealthConfig.Passive passive(YamlMap passive) {
    HealthConfig.Passive d = PASSIVE_DEFAULTS;
    return new HealthConfig.Passive(
        passive.integer("consecutive-failures", d.consecutiveFailures(), 1, Integer.MAX_VALUE),
        passive.duration("ejection-time", d.ejectionTime()),
        passive.integer("max-ejection-percent", d.maxEjectionPercent(), 0, 100));
  }
}
