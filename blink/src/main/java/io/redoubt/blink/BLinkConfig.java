package io.redoubt.blink;

/**
 * BLink's settings (section 4.4.1), the same at every server of a deployment.
 *
 * @param enabled whether BLink carries wide-area messages; off, the stand-in {@link RotatingLink} does
 * @param headTimeoutMillis the LM timeout on a link's first unacknowledged message at first:
 *     above a round trip plus {@code ackDelayMillis} plus the receiving site's ordering, or a
 *     working virtual link is abandoned
 * @param headTimeoutMaxMillis what the doubling after each whole block of virtual links never passes (section 4.8.2)
 * @param resendMillis how often the forwarder of a link's current virtual link sends again what it
 *     sent a period ago and is still unacknowledged (a lost frame), before the logical machine
 *     suspects the virtual link
 * @param ackDelayMillis how long a receiving logical machine waits for a message going back to
 *     carry its acknowledgement before it sends one alone (an LM timeout)
 * @param unackedMax messages a link holds unacknowledged; more are dropped and counted
 * @param windowMax how far ahead of a gap a received message may wait
 */
public record BLinkConfig(boolean enabled, long headTimeoutMillis, long headTimeoutMaxMillis, long resendMillis, long ackDelayMillis, int unackedMax,
                          int windowMax) {
    public BLinkConfig {
        if (headTimeoutMillis < 1 || headTimeoutMaxMillis < headTimeoutMillis) {
            throw new IllegalArgumentException("BLink head timeouts need 1 <= head-timeout <= head-timeout-max, were " + headTimeoutMillis + " and "
                    + headTimeoutMaxMillis + " ms");
        }
        if (ackDelayMillis < 1 || ackDelayMillis >= headTimeoutMillis) {
            throw new IllegalArgumentException("BLink ack-delay must be >= 1 ms and below head-timeout (" + headTimeoutMillis + " ms), was " + ackDelayMillis);
        }
        if (resendMillis <= ackDelayMillis) {
            throw new IllegalArgumentException("BLink resend (" + resendMillis + " ms) must be above ack-delay (" + ackDelayMillis
                    + " ms), or acknowledgements on their way are resent for");
        }
        if (unackedMax < 1 || windowMax < 1) throw new IllegalArgumentException("BLink unacked-max and window-max must be >= 1, were " + unackedMax + ", " + windowMax);
    }

    /** The defaults of reference.conf, on. */
    public static BLinkConfig defaults() {
        return new BLinkConfig(true, 1_500, 16_000, 500, 200, 1024, 1024);
    }

    /** The stand-in link. */
    public static BLinkConfig off() {
        return defaults().withEnabled(false);
    }

    public BLinkConfig withEnabled(boolean on) {
        return new BLinkConfig(on, headTimeoutMillis, headTimeoutMaxMillis, resendMillis, ackDelayMillis, unackedMax, windowMax);
    }
}
