package io.tandem.cluster;

import io.tandem.config.BackendConfig;
import io.tandem.config.ClusterConfig;
import io.tandem.config.PersistenceConfig;
import io.tandem.config.PoolConfig;
import io.tandem.config.TandemConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of a node's configuration that must be the same on every node of a cluster (cluster name, pool names,
 * backend ids and addresses, algorithms, persistence), as named fields with readable values, plus a SHA-256 of them.
 * Each member publishes its {@link #summary()} when it starts; a node whose fingerprint differs from the coordinator's
 * is told which fields differ, e.g. {@code pools[web].backends: n1 has [b1, b2], n3 has [b1, b2, b4]}.
 *
 * <p>Listeners, timeouts, limits, weights and health settings may differ between nodes and are left out. A cookie
 * secret is represented by a short digest, never by its value.
 */
public final class ConfigFingerprint {
  private final SortedMap<String, String> fields;
  private final String sha256;

  private ConfigFingerprint(SortedMap<String, String> fields) {
    this.fields = Collections.unmodifiableSortedMap(fields);
    this.sha256 = hex(sha256(summary()));
  }

  /** The fingerprint of a configuration. */
  public static ConfigFingerprint of(TandemConfig config) {
    SortedMap<String, String> f = new TreeMap<>();
    ClusterConfig cluster = config.cluster();
    f.put("cluster.name", cluster == null ? "(standalone)" : cluster.name());
    f.put("pools", new TreeSet<>(config.pools().stream().map(PoolConfig::name).toList()).toString());
    for (PoolConfig pool : config.pools()) {
      String p = "pools[" + pool.name() + "]";
      f.put(p + ".algorithm", pool.algorithm() + (pool.hashKey() == null ? ""
          : " " + pool.hashKey().source() + (pool.hashKey().name() == null ? "" : " " + pool.hashKey().name())));
      f.put(p + ".backends", new TreeSet<>(pool.backends().stream().map(BackendConfig::id).toList()).toString());
      for (BackendConfig b : pool.backends()) {
        f.put(p + ".backends[" + b.id() + "]", b.host() + ":" + b.port());
      }
      f.put(p + ".persistence", persistence(pool.persistence()));
      if (!pool.discover().isEmpty()) {
        f.put(p + ".discover", new TreeSet<>(pool.discover().stream().map(d -> d.key()).toList()).toString());
      }
    }
    return new ConfigFingerprint(f);
  }

  /** Reads a fingerprint back from its {@link #summary()}. */
  public static ConfigFingerprint parse(String summary) {
    SortedMap<String, String> f = new TreeMap<>();
    for (String line : summary.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        f.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return new ConfigFingerprint(f);
  }

  /** Hex SHA-256 of the summary: equal on two nodes exactly when every field is. */
  public String sha256() {
    return sha256;
  }

  /** One {@code field=value} line per field, sorted by field. */
  public String summary() {
    StringBuilder s = new StringBuilder();
    fields.forEach((k, v) -> s.append(k).append('=').append(v.replace('\n', ' ')).append('\n'));
    return s.toString();
  }

  /** The fields by name. */
  public Map<String, String> fields() {
    return fields;
  }

  /**
   * The fields where {@code mine} differs from {@code reference}, one readable line each, reference first; empty when
   * they agree.
   */
  public static List<String> mismatches(String referenceNode, ConfigFingerprint reference, String myNode,
      ConfigFingerprint mine) {
    List<String> out = new ArrayList<>();
    if (reference.sha256.equals(mine.sha256)) {
      return out;
    }
    TreeSet<String> names = new TreeSet<>(reference.fields.keySet());
    names.addAll(mine.fields.keySet());
    for (String name : names) {
      String theirs = reference.fields.get(name);
      String ours = mine.fields.get(name);
      if (theirs == null || !theirs.equals(ours)) {
        out.add(name + ": " + referenceNode + " has " + (theirs == null ? "nothing" : theirs) + ", " + myNode + " has "
            + (ours == null ? "nothing" : ours));
      }
    }
    return out;
  }

  private static String persistence(PersistenceConfig p) {
    if (p == null || p.type() == PersistenceConfig.Type.NONE) {
      return "NONE";
    }
    if (p.type() == PersistenceConfig.Type.SOURCE_ADDRESS) {
      return "SOURCE_ADDRESS idleTimeout=" + p.idleTimeout();
    }
    PersistenceConfig.Cookie c = p.cookie();
    return "COOKIE name=" + c.name() + " path=" + c.path() + " maxAge=" + c.maxAge() + " secure=" + c.secure()
        + " httpOnly=" + c.httpOnly() + " sameSite=" + c.sameSite() + " secret="
        + (c.secret() == null ? "none" : hex(sha256("tandem-cookie-secret:" + c.secret())).substring(0, 12));
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  @Override
  public String toString() {
    return "ConfigFingerprint[" + sha256 + "]";
  }
}
