package io.tandem.tls;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses which of a listener's certificates answers a TLS client, by the server name it indicated (SNI): a
 * certificate for exactly that name first, then one whose wildcard covers it ({@code *.example.com} covers
 * {@code a.example.com}, not {@code example.com} nor {@code a.b.example.com}), else the default certificate. A client
 * that sends no name gets the default. Immutable; lookups are two hash-map reads.
 *
 * <p>Example: with certificates [a.example.com], [*.example.com] and default 0, {@code select("A.example.com.")} is 0,
 * {@code select("b.example.com")} is 1 and {@code select("other.org")} is 0.
 */
public final class SniSelector {
  private final Map<String, Integer> exact = new HashMap<>();
  private final Map<String, Integer> wildcard = new HashMap<>();
  private final int defaultIndex;

  /**
   * @param names        per certificate, the names it is for (wildcards as {@code *.example.com}); the first
   *                     certificate listing a name wins it
   * @param defaultIndex the certificate for clients whose name matches none
   */
  public SniSelector(List<List<String>> names, int defaultIndex) {
    for (int i = 0; i < names.size(); i++) {
      for (String n : names.get(i)) {
        String name = n.toLowerCase(Locale.ROOT);
        if (name.startsWith("*.")) {
          wildcard.putIfAbsent(name.substring(2), i);
        } else {
          exact.putIfAbsent(name, i);
        }
      }
    }
    this.defaultIndex = defaultIndex;
  }

  /** The index of the certificate for {@code serverName} (null or empty: the client sent none). */
  public int select(String serverName) {
    if (serverName == null || serverName.isEmpty()) {
      return defaultIndex;
    }
    String name = serverName.toLowerCase(Locale.ROOT);
    if (name.endsWith(".")) {
      name = name.substring(0, name.length() - 1);
    }
    Integer found = exact.get(name);
    if (found != null) {
      return found;
    }
    int dot = name.indexOf('.');
    if (dot > 0) {
      found = wildcard.get(name.substring(dot + 1));
      if (found != null) {
        return found;
      }
    }
    return defaultIndex;
  }

  /** The index of the first certificate listing {@code name} exactly (as written, wildcards included), or -1. */
  public static int indexOf(List<List<String>> names, String name) {
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).contains(name.toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    return -1;
  }
}
