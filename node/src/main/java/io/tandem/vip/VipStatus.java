package io.tandem.vip;

import io.tandem.config.VipConfig;
import java.time.Instant;

/**
 * One VIP as this node sees it, for the admin API and dashboard.
 *
 * @param address     {@code address/prefix}
 * @param iface       the interface it goes on
 * @param group       its group's name
 * @param mode        its group's mode
 * @param holder      the node that holds it now as far as this node knows, or null when nobody does
 * @param heldLocally whether this node holds it
 * @param since       when the holder last changed (or the controller started), wall clock
 * @param lastError   the last problem with it on this node (a failed command, a missing interface), or null
 */
public record VipStatus(String address, String iface, String group, VipConfig.Mode mode, String holder,
    boolean heldLocally, Instant since, String lastError) {}
