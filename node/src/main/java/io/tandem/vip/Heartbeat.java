package io.tandem.vip;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

/**
 * One VIP liveness beat: who sends it, which addresses it holds (or is acquiring or releasing), which it cannot hold,
 * and whether it is leaving. Encoded as one short text line, e.g.
 * {@code TVIP1 shop n2 1733000000000 42 up 10.0.0.100 -}.
 *
 * @param cluster     the cluster name; beats of another cluster are ignored
 * @param nodeId      the sender
 * @param incarnation the sender's start time in wall-clock milliseconds: a restarted node's beats supersede old ones
 * @param seq         increases with every beat of one incarnation, so a late packet never undoes a newer one
 * @param leaving     the sender is stopping: count it as gone at once
 * @param claims      addresses the sender holds or is acquiring or releasing
 * @param unable      addresses the sender cannot hold (missing interface, privileges, failed command)
 */
public record Heartbeat(String cluster, String nodeId, long incarnation, long seq, boolean leaving, Set<String> claims,
    Set<String> unable) {
  private static final String MAGIC = "TVIP1";

  public Heartbeat {
    claims = Set.copyOf(claims);
    unable = Set.copyOf(unable);
  }

  public byte[] encode() {
    return String.join(" ", MAGIC, cluster, nodeId, Long.toString(incarnation), Long.toString(seq),
        leaving ? "bye" : "up", list(claims), list(unable)).getBytes(StandardCharsets.UTF_8);
  }

  /** Parses a beat; throws {@link IllegalArgumentException} for anything that is not one. */
  public static Heartbeat decode(byte[] bytes) {
    String[] f = new String(bytes, StandardCharsets.UTF_8).split(" ");
    if (f.length != 8 || !MAGIC.equals(f[0]) || !(f[5].equals("up") || f[5].equals("bye"))) {
      throw new IllegalArgumentException("not a VIP heartbeat");
    }
    try {
      return new Heartbeat(f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]), f[5].equals("bye"), set(f[6]),
          set(f[7]));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a VIP heartbeat");
    }
  }

  /** Whether this beat is newer than {@code previous} from the same node (a later incarnation or sequence). */
  public boolean newerThan(Heartbeat previous) {
    return previous == null || incarnation > previous.incarnation
        || (incarnation == previous.incarnation && seq > previous.seq);
  }

  private static String list(Set<String> values) {
    return values.isEmpty() ? "-" : String.join(",", new TreeSet<>(values));
  }

  private static Set<String> set(String field) {
    return field.equals("-") ? Set.of() : Set.copyOf(Arrays.asList(field.split(",")));
  }
}
