package io.tandem.config;

import java.time.Duration;

/**
 * Session persistence of a pool.
 *
 * @param type        none, cookie (insert) or source-address
 * @param cookie      cookie settings when {@code type} is cookie
 * @param idleTimeout source-address and learned-cookie bindings expire after this long without use
 * @param learnCookie name of an application cookie (e.g. {@code JSESSIONID}) whose values Tandem learns from
 *                    responses and binds to the backend that set them, or null; works alongside any {@code type}
 */
public record PersistenceConfig(Type type, Cookie cookie, Duration idleTimeout, String learnCookie) {

  public static final PersistenceConfig NONE = new PersistenceConfig(Type.NONE, null, null, null);

  /** Persistence without a learned cookie. */
  public PersistenceConfig(Type type, Cookie cookie, Duration idleTimeout) {
    this(type, cookie, idleTimeout, null);
  }

  public enum Type {
    NONE,
    COOKIE,
    SOURCE_ADDRESS
  }

  public enum SameSite {
    STRICT,
    LAX,
    NONE
  }

  /**
   * @param name     cookie name
   * @param path     {@code Path} attribute
   * @param maxAge   {@code Max-Age}, or null for a session cookie
   * @param secure   {@code Secure}
   * @param httpOnly {@code HttpOnly}
   * @param sameSite {@code SameSite}, or null to leave it out
   * @param secret   optional secret mixed into the opaque backend ids so they cannot be guessed
   */
  public record Cookie(
      String name, String path, Duration maxAge, boolean secure, boolean httpOnly, SameSite sameSite, String secret) {
    @Override
    public String toString() {
      // Never print the secret.
      return "Cookie[name=" + name + ", path=" + path + ", maxAge=" + maxAge + ", secure=" + secure
          + ", httpOnly=" + httpOnly + ", sameSite=" + sameSite + ", secret=" + (secret == null ? "none" : "***") + "]";
    }
  }
}
