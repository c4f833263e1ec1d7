package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsers for single YAML values. Each returns the value or throws {@link IllegalArgumentException} whose message
 * says what is wrong; {@link YamlMap} turns that into a {@link ConfigError} under the field's path.
 */
final class Scalars {
  private static final Pattern DURATION = Pattern.compile("(?:\\d{1,9}(?:ms|s|m|h|d))+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,12})(KiB|MiB|GiB)?");
  private static final Pattern HOST_NAME = Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,64}");
  private static final Pattern STATUS_RANGE = Pattern.compile("(\\d{3})(?:-(\\d{3}))?");
  /** RFC 7230 tchar: header names and methods. */
  private static final String TCHARS = "!#$%&'*+-.^_`|~";
  /** RFC 6265 cookie-name (a token): visible ASCII except separators. */
  private static final String COOKIE_SEPARATORS = "()<>@,;:\\\"/[]?={}";

  private Scalars() {}

  /** Describes a value as it appears in a message: strings quoted, numbers bare, structures by kind. */
  static String describe(JsonNode node) {
    if (node.isTextual()) {
      return '"' + node.textValue() + '"';
    }
    if (node.isObject()) {
      return "a mapping";
    }
    if (node.isArray()) {
      return "a list";
    }
    return node.asText();
  }

  static String text(JsonNode node) {
    if (!node.isTextual()) {
      String hint = node.isValueNode() ? "; quote it: \"" + node.asText() + '"' : "";
      throw new IllegalArgumentException("must be a string, got " + describe(node) + hint);
    }
    if (node.textValue().isBlank()) {
      throw new IllegalArgumentException("must not be empty");
    }
    return node.textValue();
  }

  /**
   * Names that end up in keys, cookies, metric labels and admin API paths (pool names, backend ids): 1 to 64 of
   * letters, digits and {@code . _ : - [ ]} (so that a default id {@code host:port} qualifies).
   */
  static String identifier(JsonNode node) {
    String value = text(node);
    if (!IDENTIFIER.matcher(value).matches()) {
      throw new IllegalArgumentException("must be 1 to 64 letters, digits or . _ : - [ ] (it appears in cookies, "
          + "metric labels and admin API paths), got " + describe(node));
    }
    return value;
  }

  static long integer(JsonNode node) {
    if (!node.isIntegralNumber() || !node.canConvertToLong()) {
      throw new IllegalArgumentException("must be an integer, got " + describe(node));
    }
    return node.longValue();
  }

  static boolean bool(JsonNode node) {
    if (!node.isBoolean()) {
      throw new IllegalArgumentException("must be true or false, got " + describe(node));
    }
    return node.booleanValue();
  }

  /** Durations are written {@code 500ms}, {@code 2s}, {@code 1m}, {@code 1h}, {@code 1d} or combined, {@code 1m30s}. */
  static Duration duration(JsonNode node) {
    String expected = "must be a duration like 500ms, 2s, 1m30s or 1h, got " + describe(node);
    if (node.isNumber()) {
      throw new IllegalArgumentException(expected + " (a bare number; add a unit)");
    }
    if (!node.isTextual() || !DURATION.matcher(node.textValue()).matches()) {
      throw new IllegalArgumentException(expected);
    }
    Duration total = Duration.ZERO;
    Matcher part = DURATION_PART.matcher(node.textValue());
    while (part.find()) {
      long n = Long.parseLong(part.group(1));
      total = total.plus(switch (part.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      });
    }
    if (total.isZero()) {
      throw new IllegalArgumentException("must be positive, got " + describe(node));
    }
    return total;
  }

  /** Sizes in bytes: an integer, or a string with a binary unit such as {@code 16KiB} or {@code 10MiB}. */
  static long size(JsonNode node) {
    if (node.isIntegralNumber() && node.canConvertToLong()) {
      return node.longValue();
    }
    Matcher m = node.isTextual() ? SIZE.matcher(node.textValue()) : null;
    if (m == null || !m.matches()) {
      throw new IllegalArgumentException("must be a size in bytes like 16384 or 16KiB (also MiB, GiB), got "
          + describe(node));
    }
    int shift = m.group(2) == null ? 0 : switch (m.group(2)) {
      case "KiB" -> 10;
      case "MiB" -> 20;
      default -> 30;
    };
    long n = Long.parseLong(m.group(1));
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("is too large: " + describe(node));
    }
    return n << shift;
  }

  /** A parsed {@code host:port}; the host of {@code [::1]:80} is {@code ::1}. */
  record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  static HostPort hostPort(JsonNode node, int minPort) {
    String form = "must be host:port (IPv6 as [::1]:8080), got " + describe(node);
    if (!node.isTextual()) {
      throw new IllegalArgumentException(form);
    }
    String s = node.textValue();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || colon == s.length() - 1) {
      throw new IllegalArgumentException(form);
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]") && host.length() > 2) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":") || host.contains("[") || host.contains("]")) {
      throw new IllegalArgumentException(form);
    }
    if (host.chars().anyMatch(c -> c <= ' ' || c == '/' || c >= 127)) {
      throw new IllegalArgumentException(form);
    }
    String portText = s.substring(colon + 1);
    if (!portText.chars().allMatch(Character::isDigit) || portText.length() > 5) {
      throw new IllegalArgumentException(form);
    }
    int port = Integer.parseInt(portText);
    if (port < minPort || port > 65535) {
      throw new IllegalArgumentException("port must be between " + minPort + " and 65535, got " + port);
    }
    return new HostPort(host, port);
  }

  /** An accepted status range, from {@code 200} or {@code 200-399}, within 100..599. */
  static int[] statusRange(JsonNode node) {
    String form = "must be a status like 200 or a range like 200-399, got " + describe(node);
    String s = node.isIntegralNumber() ? node.asText() : node.isTextual() ? node.textValue() : "";
    Matcher m = STATUS_RANGE.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(form);
    }
    int min = Integer.parseInt(m.group(1));
    int max = m.group(2) == null ? min : Integer.parseInt(m.group(2));
    for (int status : new int[] {min, max}) {
      if (status < 100 || status > 599) {
        throw new IllegalArgumentException("status " + status + " is outside 100..599");
      }
    }
    if (min > max) {
      throw new IllegalArgumentException("range " + s + " is reversed; write " + max + "-" + min);
    }
    return new int[] {min, max};
  }

  /** An RFC 7230 token, as header names are. */
  static String headerName(JsonNode node) {
    String s = text(node);
    if (!s.chars().allMatch(Scalars::isTchar)) {
      throw new IllegalArgumentException("must be a header name (letters, digits and !#$%&'*+-.^_`|~), got " + describe(node));
    }
    return s;
  }

  /** An HTTP method: a token without lower-case letters, since methods are case-sensitive. */
  static String method(JsonNode node) {
    String s = text(node);
    if (!s.chars().allMatch(Scalars::isTchar) || !s.equals(s.toUpperCase(Locale.ROOT))) {
      throw new IllegalArgumentException("must be an upper-case HTTP method like GET, got " + describe(node));
    }
    return s;
  }

  /** An RFC 6265 cookie name: visible ASCII except separators. */
  static String cookieName(JsonNode node) {
    String s = text(node);
    boolean valid = s.chars().allMatch(c -> c > 32 && c < 127 && COOKIE_SEPARATORS.indexOf(c) < 0);
    if (!valid) {
      throw new IllegalArgumentException(
          "must be a cookie name (RFC 6265 token: no spaces or ()<>@,;:\\\"/[]?={}), got " + describe(node));
    }
    return s;
  }

  /** A Host to match: {@code example.com} or {@code *.example.com}, lower-cased (matching ignores case). */
  static String hostPattern(JsonNode node) {
    String s = text(node).toLowerCase(Locale.ROOT);
    if (!HOST_NAME.matcher(s).matches()) {
      throw new IllegalArgumentException(
          "must be a host name like example.com or *.example.com (no port), got " + describe(node));
    }
    return s;
  }

  /** A URL path: starts with {@code /}, no spaces or control characters. */
  static String urlPath(JsonNode node) {
    String s = text(node);
    if (!s.startsWith("/") || s.chars().anyMatch(c -> c <= ' ' || c == 127)) {
      throw new IllegalArgumentException("must be a path starting with /, got " + describe(node));
    }
    return s;
  }

  static Pattern regex(JsonNode node) {
    String s = text(node);
    try {
      return Pattern.compile(s);
    } catch (java.util.regex.PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex: " + e.getDescription() + " near index " + e.getIndex()
          + " of " + describe(node));
    }
  }

  /** The YAML spelling of an enum constant: {@code ROUND_ROBIN} is {@code round-robin}. */
  static String spelling(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static boolean isTchar(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || TCHARS.indexOf(c) >= 0;
  }
}
