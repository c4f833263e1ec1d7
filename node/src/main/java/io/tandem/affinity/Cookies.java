package io.tandem.affinity;

/** Allocation-light reading of the {@code Cookie} request header (RFC 6265 section 5.4 syntax, lenient). */
public final class Cookies {
  private Cookies() {}

  /**
   * The value of cookie {@code name} in a {@code Cookie} header value, or null when absent. The first occurrence
   * wins, as browsers send the most specific cookie first. Surrounding double quotes are kept (they are part of the
   * value per RFC 6265). Never throws.
   */
  public static String find(CharSequence header, String name) {
    if (header == null || name == null || name.isEmpty()) {
      return null;
    }
    String h = header.toString();
    int n = h.length();
    int i = 0;
    while (i < n) {
      while (i < n && (h.charAt(i) == ' ' || h.charAt(i) == ';' || h.charAt(i) == '\t')) {
        i++;
      }
      int end = h.indexOf(';', i);
      if (end < 0) {
        end = n;
      }
      int eq = h.indexOf('=', i);
      if (eq > i && eq < end) {
        int nameEnd = eq;
        while (nameEnd > i && h.charAt(nameEnd - 1) == ' ') {
          nameEnd--;
        }
        if (nameEnd - i == name.length() && h.regionMatches(i, name, 0, name.length())) {
          int vs = eq + 1;
          int ve = end;
          while (vs < ve && h.charAt(vs) == ' ') {
            vs++;
          }
          while (ve > vs && h.charAt(ve - 1) == ' ') {
            ve--;
          }
          return h.substring(vs, ve);
        }
      }
      i = end + 1;
    }
    return null;
  }
}
