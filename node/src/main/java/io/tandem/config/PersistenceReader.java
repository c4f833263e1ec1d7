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
    if (type != PersistenceConfig.Type.SOURCE_ADDRESS && persistence.has("idle-timeout")) {
      persistence.error("idle-timeout", "applies only to type: source-address");
    }
    return switch (type) {
      case NONE -> PersistenceConfig.NONE;
      case COOKIE -> new PersistenceConfig(type, cookie(persistence.map("cookie", "name", "path", "max-age", "secure",
          "http-only", "same-site", "secret")), null);
      case SOURCE_ADDRESS -> new PersistenceConfig(type, null,
          persistence.duration("idle-timeout", SOURCE_ADDRESS_IDLE_TIMEOUT));
    };
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
