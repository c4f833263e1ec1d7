package io.tandem.config;

/** Listener protocol. Only {@code http} exists so far; {@code tcp} and TLS come with the L4 issue. */
public enum Protocol {
  HTTP
}
