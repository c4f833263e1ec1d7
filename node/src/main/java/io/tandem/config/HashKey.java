package io.tandem.config;

/**
 * What {@link Algorithm#CONSISTENT_HASH} hashes.
 *
 * @param source {@code header}, {@code cookie} or {@code path}
 * @param name   header or cookie name (null for path)
 */
public record HashKey(Source source, String name) {
  public enum Source {
    HEADER,
    COOKIE,
    PATH
  }
}
