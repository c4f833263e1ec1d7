package io.tandem.proxy.h1;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A header name in lower-case ASCII bytes, for comparing names in a parsed head case-insensitively without making a
 * String of them. Build constants once ({@link HeaderNames}); {@code head.indexOf(AsciiName.of("x-tier"))}.
 */
public final class AsciiName {
  private final String name;
  private final byte[] bytes;

  private AsciiName(String name) {
    this.name = name;
    this.bytes = name.getBytes(StandardCharsets.US_ASCII);
  }

  /** The name for {@code name}, lower-cased. */
  public static AsciiName of(String name) {
    return new AsciiName(name.toLowerCase(Locale.ROOT));
  }

  public String name() {
    return name;
  }

  public int length() {
    return bytes.length;
  }

  public byte byteAt(int i) {
    return bytes[i];
  }

  @Override
  public String toString() {
    return name;
  }
}
