package io.tandem.proxy.rules;

import io.tandem.config.ActionConfig;
import java.util.Locale;

/**
 * Whether a request may get a gzip-compressed answer, and whether a response is worth compressing
 * ({@link ActionConfig.Compress}). Works on header values as Strings, read only for requests whose route compresses.
 */
public final class Compression {
  private Compression() {}

  /** Whether {@code Accept-Encoding} (null: absent) admits gzip: listed (or {@code *}) without {@code q=0}. */
  public static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    boolean star = false;
    for (String element : acceptEncoding.split(",")) {
      String[] parts = element.split(";");
      String coding = parts[0].trim().toLowerCase(Locale.ROOT);
      boolean zero = false;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim().toLowerCase(Locale.ROOT);
        if (p.startsWith("q=")) {
          zero = isZero(p.substring(2).trim());
        }
      }
      if (coding.equals("gzip") || coding.equals("x-gzip")) {
        return !zero;
      }
      star |= coding.equals("*") && !zero;
    }
    return star;
  }

  private static boolean isZero(String q) {
    try {
      return Double.parseDouble(q) == 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Whether a response is compressed: a success with a body (not 204, not 206), of a listed type, with a length of
   * at least {@code min-size} ({@code length} -1 when the response streams without one: its size is not known, so
   * it is compressed, as nginx does), not encoded already, no {@code Content-Range}, no
   * {@code Cache-Control: no-transform}.
   */
  public static boolean worthIt(ActionConfig.Compress c, int status, String contentType, String contentEncoding,
      String contentRange, String cacheControl, long length) {
    if (status < 200 || status >= 300 || status == 204 || status == 206 || (length >= 0 && length < c.minSize())) {
      return false;
    }
    if ((contentEncoding != null && !contentEncoding.trim().equalsIgnoreCase("identity")) || contentRange != null) {
      return false;
    }
    if (cacheControl != null && cacheControl.toLowerCase(Locale.ROOT).contains("no-transform")) {
      return false;
    }
    return typeListed(c, contentType);
  }

  private static boolean typeListed(ActionConfig.Compress c, String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    int slash = type.indexOf('/');
    for (String t : c.types()) {
      if (t.equals(type) || (t.endsWith("/*") && slash > 0 && type.regionMatches(0, t, 0, slash + 1))) {
        return true;
      }
    }
    return false;
  }

  /** A strong entity tag made weak ({@code "x"} is {@code W/"x"}): the compressed bytes are not the backend's. */
  public static String weakened(String etag) {
    return etag == null || etag.startsWith("W/") ? etag : "W/" + etag;
  }
}
