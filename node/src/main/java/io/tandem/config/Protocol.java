package io.tandem.config;

/** Listener protocol: {@code http} (L7 reverse proxy) or {@code tcp} (L4: bytes piped to one backend per connection). */
public enum Protocol {
  HTTP,
  TCP
}
