package io.redoubt.lm.server;

/**
 * Per-server settings of the logical-machine layer.
 *
 * @param lmTimeoutNoticesNeeded signed expiry notices the local leader needs before it orders an
 *     LM timeout: 1 for a benign site, f+1 for a Byzantine one (section 4.3)
 * @param noticeResendMillis how often a server re-sends its notice while the timeout is not yet
 *     ordered (a notice can be lost, and the leader can change)
 * @param forwarderRecentMax how many recent wide-area messages a forwarder remembers per
 *     destination to notice retransmissions, on which it moves to the next peer
 */
public record ServerConfig(int lmTimeoutNoticesNeeded, long noticeResendMillis, int forwarderRecentMax) {
    public ServerConfig {
        if (lmTimeoutNoticesNeeded < 1) throw new IllegalArgumentException("lmTimeoutNoticesNeeded must be >= 1, was " + lmTimeoutNoticesNeeded);
        if (noticeResendMillis <= 0) throw new IllegalArgumentException("noticeResendMillis must be > 0, was " + noticeResendMillis);
        if (forwarderRecentMax <= 0) throw new IllegalArgumentException("forwarderRecentMax must be > 0, was " + forwarderRecentMax);
    }

    public static ServerConfig benignSite() {
        return new ServerConfig(1, 200, 256);
    }
}
