package io.tandem.config;

/**
 * One problem in a configuration file.
 *
 * @param file    the file, as given
 * @param path    the field, e.g. {@code pools[1].backends[0].address}; empty for the whole document
 * @param message what is wrong, e.g. {@code must be host:port, got "localhost"}
 */
public record ConfigError(String file, String path, String message) {
  @Override
  public String toString() {
    return file + ": " + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
