package io.tandem.config;

import java.time.Duration;

/** Reads a pool's {@code persistence} section. */
final class PersistenceReader {
  static final PersistenceConfig.Cookie COOKIE_DEFAULTS =
      new PersistenceConfig.Cookie("TANDEM_SERVER", "/", null, false, true, PersistenceConfig.SameSite.LAX, null);
  static final Duration SOURCE_ADDRESS_IDLE_TIMEOUT = Duration.ofMinutes(30);

  private PersistenceReader() {}

  static PersistenceConfig read(YamlMap persistence) {
    PersistenceConfig.Type type = persistence.choice("type", PersistenceConfig.Type.class, PersistenceConfig.Type.NONE);
    if (type != PersistenceConfig.Type.COOKIE && persistence.has("cookie")) {
      persistence.error("cookie", "applies only to type: cookie");
    }
    if (type != PersistenceConfig.Type.SOURCE_ADDRESS && !persistence.has("learn-cookie")
        && persistence.has("idle-timeout")) {
      persistence.error("idle-timeout", "applies only to type: source-address or with learn-cookie");
    }
    PersistenceConfig config = switch (type) {
      case NONE -> PersistenceConfig.NONE;
      case COOKIE -> new PersistenceConfig(type, cookie(persistence.map("cookie", "name", "path", "max-age", "secure",
          "http-only", "same-site", "secret")), null);
      case SOURCE_ADDRESS -> new PersistenceConfig(type, null,
          persistence.duration("idle-timeout", SOURCE_ADDRESS_IDLE_TIMEOUT));
    };
    String learn = learnCookie(persistence, config);
    if (learn == null) {
      return config;
    }
    Duration idle = config.idleTimeout() != null ? config.idleTimeout()
        : persistence.duration("idle-timeout", SOURCE_ADDRESS_IDLE_TIMEOUT);
    return new PersistenceConfig(config.type(), config.cookie(), idle, learn);
  }

  /** {@code learn-cookie}: alone (type none) or behind the inserted cookie, never with source-address. */
  private static String learnCookie(YamlMap persistence, PersistenceConfig config) {
    String name = persistence.value("learn-cookie", null, Scalars::cookieName);
    if (name == null) {
      return null;
    }
    if (config.type() == PersistenceConfig.Type.SOURCE_ADDRESS) {
      persistence.error("learn-cookie", "applies only to type: cookie or none");
      return null;
    }
    if (config.cookie() != null && name.equals(config.cookie().name())) {
      persistence.error("learn-cookie", "must differ from cookie.name (" + name + "), the cookie Tandem inserts");
      return null;
    }
    return name;
  }

  private static PersistenceConfig.Cookie cookie(YamlMap cookie) {
    PersistenceConfig.Cookie d = COOKIE_DEFAULTS;
    boolean secure = cookie.bool("secure", d.secure());
    PersistenceConfig.SameSite sameSite = cookie.choice("same-site", PersistenceConfig.SameSite.class, d.sameSite());
    if (sameSite == PersistenceConfig.SameSite.NONE && !secure) {
      cookie.error("same-site", "none requires secure: true (browsers drop SameSite=None cookies without Secure)");
    }
    return new PersistenceConfig.Cookie(
        cookie.value("name", d.name(), Scalars::cookieName),
        cookie.value("path", d.path(), PersistenceReader::cookiePath),
        cookie.duration("max-age", d.maxAge()),
        secure,
        cookie.bool("http-only", d.httpOnly()),
        sameSite,
        cookie.string("secret", d.secret()));
  }

  private static String cookiePath(com.fasterxml.jackson.databind.JsonNode node) {
    String path = Scalars.urlPath(node);
    if (path.contains(";")) {
      throw new IllegalArgumentException("must not contain ';', got " + Scalars.describe(node));
    }
    return path;
  }
}
