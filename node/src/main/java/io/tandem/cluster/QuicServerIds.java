package io.tandem.cluster;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The QUIC server id (1..65535, carried in every connection id this node issues) of a member found in DNS, where no
 * list gives positions: every node computes the same id for a node id with nothing shared.
 *
 * <ul>
 *   <li>A node id ending in {@code -N} (a StatefulSet's pods {@code tandem-0}, {@code tandem-1}, ...) with N below
 *       {@value #ORDINALS}: N + 1. Distinct ordinals never collide.
 *   <li>Any other id: a CRC-32 of its UTF-8 bytes into {@value #ORDINALS}+1..65535, apart from the ordinals' range.
 * </ul>
 *
 * <p>Collision limit: two hashed ids meet with probability about n²/65536 for n such members (~1.5% at 32, ~40% at
 * 256), and then the HTTP/3 packets of a connection owned by one may be relayed to the other, which drops them (the
 * client reconnects). Name the members with ordinals (a StatefulSet) to rule this out; {@code HazelcastQuicPeers}
 * logs a collision among live members.
 */
public final class QuicServerIds {
  public static final int ORDINALS = 32767;
  private static final Pattern ORDINAL = Pattern.compile(".*-(\\d{1,5})");

  private QuicServerIds() {}

  public static int of(String nodeId) {
    Matcher m = ORDINAL.matcher(nodeId);
    if (m.matches()) {
      int n = Integer.parseInt(m.group(1));
      if (n < ORDINALS) {
        return n + 1;
      }
    }
    CRC32 crc = new CRC32();
    crc.update(nodeId.getBytes(StandardCharsets.UTF_8));
    return ORDINALS + 1 + (int) (crc.getValue() % (65535 - ORDINALS));
  }
}
