package io.tandem.vip;

import java.time.Instant;

/**
 * A VIP changed holder, as seen by this node.
 *
 * @param time   wall clock
 * @param vip    the address ({@code address/prefix})
 * @param from   the previous holder, or null for the first one
 * @param to     the new holder, or null when this node released it and nobody took it (yet)
 * @param reason why, e.g. {@code "n1 unreachable (no heartbeat for 200 ms)"}, {@code "n1 stopped"}, {@code "quorum lost"}
 */
public record VipMove(Instant time, String vip, String from, String to, String reason) {}
