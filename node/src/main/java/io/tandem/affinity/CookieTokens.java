package io.tandem.affinity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Opaque persistence-cookie values. A backend's token is a truncated SHA-256 of the pool name, the backend id and an
 * optional secret: stable across restarts and identical on every node (so any node honours any node's cookie), never
 * revealing the backend's address, and unguessable when a secret is configured. Control plane only.
 */
public final class CookieTokens {
  private CookieTokens() {}

  public static String token(String pool, String backendId, String secret) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      if (secret != null) {
        sha.update(secret.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      sha.update(pool.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(backendId.getBytes(StandardCharsets.UTF_8));
      byte[] digest = sha.digest();
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(digest, 12));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
