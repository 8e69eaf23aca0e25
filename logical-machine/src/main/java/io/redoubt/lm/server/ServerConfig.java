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
 * @param signingRoundsMax how many recent batches' signing rounds a server of a Byzantine site
 *     keeps (their shares and proofs); older rounds are dropped and their output waits for the
 *     wide-area core's retransmission
 * @param earlySharesPerServerMax shares kept per site peer for batches this server has not
 *     executed yet
 * @param merkleBatching whether the wide-area messages of one executed batch share one LM
 *     signature over a Merkle root (section 4.6); off, each message is signed alone, which is
 *     what Table 4.3 counts
 * @param everyServerReplies whether every server of a client's site answers it once its update
 *     executes, not only the server it talked to: in a Byzantine site the client trusts a reply
 *     only when f+1 servers sent it
 * @param forwardTimeoutMillis CLink-Opt (section 4.5): when above 0, a server of a site that does
 *     not lead the wide area sends a new client update to a server of the leader site unordered,
 *     and orders it itself only if it has not executed this long after; 0 orders every update
 *     where it arrives
 * @param rechecksOrderedUpdates whether every server checks each globally ordered update's client
 *     signature again (see {@link io.redoubt.lm.exec.LmHost#rechecksOrderedUpdates}): on where a
 *     site may be compromised (PBFT among sites), off with Paxos among sites
 * @param snapshotIntervalSlots log compaction (issue 18): after every this many slots of the
 *     local order a server snapshots its logical machine and replaces its stable storage by the
 *     snapshot and what the local core still needs; 0 never (storage then grows without bound)
 */
public record ServerConfig(int lmTimeoutNoticesNeeded, long noticeResendMillis, int forwarderRecentMax, int signingRoundsMax,
                           int earlySharesPerServerMax, boolean everyServerReplies, boolean merkleBatching, long forwardTimeoutMillis,
                           boolean rechecksOrderedUpdates, int snapshotIntervalSlots) {
    /** Local slots between snapshots by default: a snapshot costs the whole state once per this many slots. */
    public static final int SNAPSHOT_INTERVAL_DEFAULT = 1024;

    public ServerConfig(int lmTimeoutNoticesNeeded, long noticeResendMillis, int forwarderRecentMax, int signingRoundsMax,
                        int earlySharesPerServerMax, boolean everyServerReplies, boolean merkleBatching, long forwardTimeoutMillis,
                        boolean rechecksOrderedUpdates) {
        this(lmTimeoutNoticesNeeded, noticeResendMillis, forwarderRecentMax, signingRoundsMax, earlySharesPerServerMax, everyServerReplies,
                merkleBatching, forwardTimeoutMillis, rechecksOrderedUpdates, SNAPSHOT_INTERVAL_DEFAULT);
    }

    public ServerConfig {
        if (snapshotIntervalSlots < 0) throw new IllegalArgumentException("snapshotIntervalSlots must be >= 0 (0 = never), was " + snapshotIntervalSlots);
        if (lmTimeoutNoticesNeeded < 1) throw new IllegalArgumentException("lmTimeoutNoticesNeeded must be >= 1, was " + lmTimeoutNoticesNeeded);
        if (noticeResendMillis <= 0) throw new IllegalArgumentException("noticeResendMillis must be > 0, was " + noticeResendMillis);
        if (forwarderRecentMax <= 0) throw new IllegalArgumentException("forwarderRecentMax must be > 0, was " + forwarderRecentMax);
        if (signingRoundsMax <= 0) throw new IllegalArgumentException("signingRoundsMax must be > 0, was " + signingRoundsMax);
        if (earlySharesPerServerMax <= 0) throw new IllegalArgumentException("earlySharesPerServerMax must be > 0, was " + earlySharesPerServerMax);
        if (forwardTimeoutMillis < 0) throw new IllegalArgumentException("forwardTimeoutMillis must be >= 0 (0 = off), was " + forwardTimeoutMillis);
    }

    public static ServerConfig benignSite() {
        return new ServerConfig(1, 200, 256, 64, 16, false, true, 0, true);
    }

    /** A site of 3f+1 servers of which f may be Byzantine: LM timeouts need f+1 notices. */
    public static ServerConfig byzantineSite(int f) {
        return new ServerConfig(f + 1, 200, 256, 64, 16, true, true, 0, true);
    }

    public ServerConfig withNoticesNeeded(int n) {
        return new ServerConfig(n, noticeResendMillis, forwarderRecentMax, signingRoundsMax, earlySharesPerServerMax, everyServerReplies, merkleBatching,
                forwardTimeoutMillis, rechecksOrderedUpdates, snapshotIntervalSlots);
    }

    public ServerConfig withMerkleBatching(boolean on) {
        return new ServerConfig(lmTimeoutNoticesNeeded, noticeResendMillis, forwarderRecentMax, signingRoundsMax, earlySharesPerServerMax,
                everyServerReplies, on, forwardTimeoutMillis, rechecksOrderedUpdates, snapshotIntervalSlots);
    }

    public ServerConfig withEveryServerReplying(boolean every) {
        return new ServerConfig(lmTimeoutNoticesNeeded, noticeResendMillis, forwarderRecentMax, signingRoundsMax, earlySharesPerServerMax, every, merkleBatching,
                forwardTimeoutMillis, rechecksOrderedUpdates, snapshotIntervalSlots);
    }

    public ServerConfig withForwardTimeout(long millis) {
        return new ServerConfig(lmTimeoutNoticesNeeded, noticeResendMillis, forwarderRecentMax, signingRoundsMax, earlySharesPerServerMax,
                everyServerReplies, merkleBatching, millis, rechecksOrderedUpdates, snapshotIntervalSlots);
    }

    public ServerConfig withOrderedUpdatesRechecked(boolean recheck) {
        return new ServerConfig(lmTimeoutNoticesNeeded, noticeResendMillis, forwarderRecentMax, signingRoundsMax, earlySharesPerServerMax,
                everyServerReplies, merkleBatching, forwardTimeoutMillis, recheck, snapshotIntervalSlots);
    }

    public ServerConfig withSnapshotInterval(int slots) {
        return new ServerConfig(lmTimeoutNoticesNeeded, noticeResendMillis, forwarderRecentMax, signingRoundsMax, earlySharesPerServerMax,
                everyServerReplies, merkleBatching, forwardTimeoutMillis, rechecksOrderedUpdates, slots);
    }
}
