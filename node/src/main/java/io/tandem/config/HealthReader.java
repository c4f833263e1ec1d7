package io.tandem.config;

import java.time.Duration;
import java.util.List;

/** Reads a pool's {@code health} section. Either part may be left out; an empty {@code active: {}} means all defaults. */
final class HealthReader {
  static final HealthConfig.Active ACTIVE_DEFAULTS = new HealthConfig.Active(HealthConfig.CheckType.HTTP, "GET",
      "/health", null, 200, 399, null, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3);
  static final HealthConfig.Passive PASSIVE_DEFAULTS = new HealthConfig.Passive(5, Duration.ofSeconds(30), 50);

  private static final List<String> HTTP_ONLY = List.of("method", "path", "host", "expect-status", "expect-body");

  private HealthReader() {}

  static HealthConfig read(YamlMap health) {
    HealthConfig.Active active = health.has("active") ? active(health.map("active", "type", "method", "path", "host",
        "expect-status", "expect-body", "interval", "timeout", "rise", "fall")) : null;
    HealthConfig.Passive passive = health.has("passive")
        ? passive(health.map("passive", "consecutive-failures", "ejection-time", "max-ejection-percent")) : null;
    return new HealthConfig(active, passive);
  }

  private static HealthConfig.Active active(YamlMap active) {
    HealthConfig.Active d = ACTIVE_DEFAULTS;
    HealthConfig.CheckType type = active.choice("type", HealthConfig.CheckType.class, d.type());
    Duration interval = active.duration("interval", d.interval());
    Duration timeout = active.duration("timeout", d.timeout());
    int rise = active.integer("rise", d.rise(), 1, Integer.MAX_VALUE);
    int fall = active.integer("fall", d.fall(), 1, Integer.MAX_VALUE);
    if (type == HealthConfig.CheckType.TCP) {
      for (String key : HTTP_ONLY) {
        if (active.has(key)) {
          active.error(key, "applies only to type: http; a tcp check only connects");
        }
      }
      return new HealthConfig.Active(type, null, null, null, 0, 0, null, interval, timeout, rise, fall);
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

  private static HealthConfig.Passive passive(YamlMap passive) {
    HealthConfig.Passive d = PASSIVE_DEFAULTS;
    return new HealthConfig.Passive(
        passive.integer("consecutive-failures", d.consecutiveFailures(), 1, Integer.MAX_VALUE),
        passive.duration("ejection-time", d.ejectionTime()),
        passive.integer("max-ejection-percent", d.maxEjectionPercent(), 0, 100));
  }
}
