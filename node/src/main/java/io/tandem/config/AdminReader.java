package io.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reads the {@code admin} section. The token (inline or from {@code token-file}) is read here, so that a reload picks
 * up a changed file; it never appears in a message.
 */
final class AdminReader {
  static final int MIN_TOKEN_LENGTH = 16;

  private AdminReader() {}

  /**
   * @param cluster this node's cluster settings (its {@code nodes[].admin} is the address; with DNS discovery its entry
   *                carries {@code admin.listen}), or null standalone
   * @param binds   the node's bound addresses; a standalone {@code listen} is added for the conflict check
   */
  static AdminConfig read(YamlMap top, ClusterConfig cluster, List<Binds.Bind> binds) {
    YamlMap admin = top.map("admin", "listen", "token", "token-file", "reads-need-token", "tls", "fan-out-timeout",
        "apply-timeout");
    Scalars.HostPort listen = admin.value("listen", null, AdminReader::listen);
    ClusterConfig.NodeEntry self = cluster == null ? null
        : cluster.nodes().stream().filter(n -> n.id().equals(cluster.nodeId())).findFirst().orElse(null);
    String host = null;
    int port = 0;
    if (cluster != null && !cluster.discoversMembers() && admin.has("listen")) {
      admin.error("listen", "a cluster node's admin address is its nodes[].admin entry; remove admin.listen");
    } else if (self != null && self.adminHost() != null) {
      host = self.adminHost();
      port = self.adminPort();
    } else if (listen != null) {
      host = listen.host();
      port = listen.port();
      binds.add(new Binds.Bind(admin.path("listen"), "the admin listener", listen));
    }
    String token = token(admin);
    boolean reads = admin.bool("reads-need-token", false);
    if (reads && token == null && !admin.has("token") && !admin.has("token-file")) {
      admin.error("reads-need-token", "needs a token or token-file");
    }
    AdminConfig.Tls tls = tls(admin);
    Duration fanOut = admin.duration("fan-out-timeout", AdminConfig.DEFAULT_FAN_OUT_TIMEOUT);
    Duration apply = admin.duration("apply-timeout", AdminConfig.DEFAULT_APPLY_TIMEOUT);
    if (host == null && top.has("admin") && !admin.has("listen") && (cluster != null || !top.has("nodes"))) {
      top.error("admin", cluster == null || cluster.discoversMembers()
          ? "has no listen address; add listen: 127.0.0.1:9090"
          : "node " + cluster.nodeId() + " has no admin address; add admin: host:port to its nodes[] entry");
    }
    return new AdminConfig(host, port, token, reads, tls, fanOut, apply);
  }

  /** {@code host:port}, or a bare port on 127.0.0.1. */
  static Scalars.HostPort listen(JsonNode value) {
    if (value.isIntegralNumber()) {
      long port = value.longValue();
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be between 0 and 65535, got " + port);
      }
      return new Scalars.HostPort("127.0.0.1", (int) port);
    }
    return Scalars.hostPort(value, 0);
  }

  private static String token(YamlMap admin) {
    if (admin.has("token") && admin.has("token-file")) {
      admin.error("token-file", "give token or token-file, not both");
      return null;
    }
    if (admin.has("token")) {
      // Never echo the value: the scalar parser's message would quote it.
      String token = admin.value("token", null, v -> v.isTextual() ? v.textValue().strip() : null);
      if (token == null) {
        admin.error("token", "must be a string");
      }
      return checked(admin, "token", token);
    }
    Path file = admin.value("token-file", null, AdminReader::path);
    if (file == null) {
      return null;
    }
    try {
      return checked(admin, "token-file", Files.readString(file, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      admin.error("token-file", "cannot read " + file + ": " + describe(e));
      return null;
    }
  }

  private static String checked(YamlMap admin, String key, String token) {
    if (token == null) {
      return null;
    }
    if (token.length() < MIN_TOKEN_LENGTH || token.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
      admin.error(key, "the token must be at least " + MIN_TOKEN_LENGTH
          + " visible ASCII characters without spaces");
      return null;
    }
    return token;
  }

  private static AdminConfig.Tls tls(YamlMap admin) {
    if (!admin.has("tls")) {
      return null;
    }
    YamlMap tls = admin.map("tls", "cert", "key");
    Path cert = tls.required("cert", AdminReader::path);
    Path key = tls.required("key", AdminReader::path);
    readable(tls, "cert", cert);
    readable(tls, "key", key);
    return cert == null || key == null ? null : new AdminConfig.Tls(cert, key);
  }

  private static void readable(YamlMap map, String key, Path file) {
    if (file != null && !Files.isReadable(file)) {
      map.error(key, "cannot read " + file);
    }
  }

  private static Path path(JsonNode value) {
    String text = Scalars.text(value);
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("is not a valid path: " + e.getReason());
    }
  }

  private static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
