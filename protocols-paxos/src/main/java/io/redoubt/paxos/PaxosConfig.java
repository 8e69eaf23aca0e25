package io.redoubt.paxos;

/**
 * Settings of one Multi-Paxos instance. The same core runs inside a site (timeouts of a few
 * milliseconds, real timers) and among logical machines (timeouts of hundreds of milliseconds,
 * each firing an LM timeout, section 4.3), so every timing is a setting, never a constant.
 *
 * @param windowSlots how many slots past the last decided one the leader may have in flight
 * @param batchPayloadsMax most payloads in one proposal (batching, section 4.6)
 * @param batchBytesMax most payload bytes in one proposal
 * @param payloadBytesMax largest payload accepted from {@code submit} or a peer
 * @param pendingPayloadsMax most payloads this node holds waiting to be ordered; more are shed
 * @param progressTimeoutMillis how long a follower waits for its pending payloads to be ordered
 *     before it suspects the leader; doubles on each suspicion up to the maximum
 * @param progressTimeoutMaxMillis cap for the doubling
 * @param retransmitMillis period of the leader's retransmission of unanswered proposals,
 *     prepares and heartbeats, and of a lagging node's catch-up requests
 * @param catchUpSlotsMax most decided slots carried in one catch-up reply or promise
 */
public record PaxosConfig(
        int windowSlots,
        int batchPayloadsMax,
        int batchBytesMax,
        int payloadBytesMax,
        int pendingPayloadsMax,
        long progressTimeoutMillis,
        long progressTimeoutMaxMillis,
        long retransmitMillis,
        int catchUpSlotsMax) {

    public PaxosConfig {
        positive("windowSlots", windowSlots);
        positive("batchPayloadsMax", batchPayloadsMax);
        positive("batchBytesMax", batchBytesMax);
        positive("payloadBytesMax", payloadBytesMax);
        positive("pendingPayloadsMax", pendingPayloadsMax);
        positive("progressTimeoutMillis", progressTimeoutMillis);
        positive("retransmitMillis", retransmitMillis);
        positive("catchUpSlotsMax", catchUpSlotsMax);
        if (progressTimeoutMaxMillis < progressTimeoutMillis) {
            throw new IllegalArgumentException("progressTimeoutMaxMillis (" + progressTimeoutMaxMillis
                    + ") must be >= progressTimeoutMillis (" + progressTimeoutMillis + ")");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }

    /** Defaults for ordering events among the servers of one site over a LAN. */
    public static PaxosConfig localDefaults() {
        return new PaxosConfig(64, 256, 1 << 20, 256 * 1024, 8192, 40, 2_000, 10, 128);
    }

    /** Defaults for ordering client updates among logical machines over a WAN. */
    public static PaxosConfig wideAreaDefaults() {
        return new PaxosConfig(32, 256, 1 << 20, 64 * 1024, 8192, 1_000, 16_000, 300, 64);
    }

    public PaxosConfig withTimeouts(long progressMillis, long progressMaxMillis, long retransmitMillis) {
        return new PaxosConfig(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressMillis, progressMaxMillis, retransmitMillis, catchUpSlotsMax);
    }

    public PaxosConfig withBatchPayloadsMax(int max) {
        return new PaxosConfig(windowSlots, max, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax);
    }

    public PaxosConfig withWindowSlots(int slots) {
        return new PaxosConfig(slots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax);
    }
}
