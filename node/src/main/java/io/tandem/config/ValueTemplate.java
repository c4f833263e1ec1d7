package io.tandem.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A header value with variables: {@code "${client.address}"}, {@code "tandem on ${pool}"}; {@code $$} is a literal
 * {@code $}. Parsed once at load; a value without variables is one constant and costs nothing per request.
 *
 * <pre>{@code
 * ValueTemplate t = ValueTemplate.parse("${scheme}://${host}");
 * String v = t.render(var -> switch (var) { case SCHEME -> "https"; case HOST -> "example.com"; default -> ""; });
 * }</pre>
 */
public final class ValueTemplate {
  /** The variables a value may use. A variable without a value (no SNI, no client certificate) renders as empty. */
  public enum Var {
    CLIENT_ADDRESS("client.address"),
    CLIENT_PORT("client.port"),
    REQUEST_ID("request.id"),
    SCHEME("scheme"),
    HOST("host"),
    SNI("sni"),
    CLIENT_CERT_SUBJECT("client.cert.subject"),
    ROUTE("route"),
    POOL("pool");

    private final String spelling;

    Var(String spelling) {
      this.spelling = spelling;
    }

    public String spelling() {
      return spelling;
    }

    static String all() {
      return Arrays.stream(values()).map(v -> "${" + v.spelling + "}").collect(Collectors.joining(", "));
    }
  }

  private final String text;
  private final Object[] parts;   // String or Var
  private final String constant;  // when there is no variable

  private ValueTemplate(String text, List<Object> parts) {
    this.text = text;
    this.parts = parts.toArray();
    this.constant = parts.stream().allMatch(p -> p instanceof String)
        ? parts.stream().map(String.class::cast).collect(Collectors.joining()) : null;
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the unknown variable or the unclosed <code>${</code>
   */
  public static ValueTemplate parse(String text) {
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IllegalArgumentException("must not contain CR, LF or NUL (a header value is one line)");
      }
      if (c != '$') {
        literal.append(c);
        i++;
        continue;
      }
      if (i + 1 < text.length() && text.charAt(i + 1) == '$') {
        literal.append('$');
        i += 2;
        continue;
      }
      if (i + 1 >= text.length() || text.charAt(i + 1) != '{') {
        throw new IllegalArgumentException("a $ starts a variable such as ${client.address} (write $$ for a $), in \""
            + text + "\"");
      }
      int close = text.indexOf('}', i + 2);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed ${ in \"" + text + "\"");
      }
      String name = text.substring(i + 2, close);
      Var var = Arrays.stream(Var.values()).filter(v -> v.spelling.equals(name)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown variable ${" + name + "}; known: " + Var.all()));
      if (literal.length() > 0) {
        parts.add(literal.toString());
        literal.setLength(0);
      }
      parts.add(var);
      i = close + 1;
    }
    if (literal.length() > 0 || parts.isEmpty()) {
      parts.add(literal.toString());
    }
    return new ValueTemplate(text, parts);
  }

  /** A variable's value can come from the client (a certificate subject): control characters become spaces. */
  private static void appendOneLine(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      sb.append(c < ' ' || c == 127 ? ' ' : c);
    }
  }

  /** Whether the value uses {@code var}. */
  public boolean uses(Var var) {
    return Arrays.asList(parts).contains(var);
  }

  /** The value for one request; {@code values} gives each variable's value (null renders as empty). */
  public String render(Function<Var, String> values) {
    if (constant != null) {
      return constant;
    }
    StringBuilder sb = new StringBuilder(text.length() + 32);
    for (Object p : parts) {
      if (p instanceof String s) {
        sb.append(s);
      } else {
        String v = values.apply((Var) p);
        if (v != null) {
          appendOneLine(sb, v);
        }
      }
    }
    return sb.toString();
  }

  /** The value as written in the configuration. */
  @Override
  public String toString() {
    return text;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ValueTemplate t && t.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }
}
