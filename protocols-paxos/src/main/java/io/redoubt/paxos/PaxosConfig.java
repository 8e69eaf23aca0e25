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
 * @param inFlightSlotsMax most slots the leader has proposed and not yet seen decided; what is
 *     submitted meanwhile waits and leaves in the next proposal, so under load one instance (one
 *     round of messages, and among sites one LM signature per message) carries many payloads,
 *     while a lone payload still leaves at once (aggregation, section 4.6)
 * @param loadBatchDelayMillis how long the leader waits, from the first payload of its next
 *     proposal, once payloads had to wait behind its proposals in flight (load): among sites the
 *     clients the last instance answered then join the next one. A wait that finds no company ends
 *     the load; a lone payload never waits. 0: no wait
 * @param historySlotsMax decided slots a node keeps below its last decided one, to serve catch-up;
 *     older ones are dropped (their effect lives on in the host's snapshot), and a member further
 *     behind is told to fetch a snapshot ({@link io.redoubt.lm.core.Outbox#snapshotNeeded})
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
        int catchUpSlotsMax,
        int inFlightSlotsMax,
        long loadBatchDelayMillis,
        int historySlotsMax) {

    /** Decided slots kept by default (the same at both tiers as PBFT's history, reference.conf). */
    static final int HISTORY_SLOTS_DEFAULT = 4096;

    /** As below, keeping {@value #HISTORY_SLOTS_DEFAULT} decided slots. */
    public PaxosConfig(int windowSlots, int batchPayloadsMax, int batchBytesMax, int payloadBytesMax, int pendingPayloadsMax,
                       long progressTimeoutMillis, long progressTimeoutMaxMillis, long retransmitMillis, int catchUpSlotsMax, int inFlightSlotsMax,
                       long loadBatchDelayMillis) {
        this(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax, progressTimeoutMillis,
                progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, inFlightSlotsMax, loadBatchDelayMillis, HISTORY_SLOTS_DEFAULT);
    }

    /** As below, with no wait for load. */
    public PaxosConfig(int windowSlots, int batchPayloadsMax, int batchBytesMax, int payloadBytesMax, int pendingPayloadsMax,
                       long progressTimeoutMillis, long progressTimeoutMaxMillis, long retransmitMillis, int catchUpSlotsMax, int inFlightSlotsMax) {
        this(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax, progressTimeoutMillis,
                progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, inFlightSlotsMax, 0);
    }

    /** As above with no bound on proposals in flight beyond the window. */
    public PaxosConfig(int windowSlots, int batchPayloadsMax, int batchBytesMax, int payloadBytesMax, int pendingPayloadsMax,
                       long progressTimeoutMillis, long progressTimeoutMaxMillis, long retransmitMillis, int catchUpSlotsMax) {
        this(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax, progressTimeoutMillis,
                progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, windowSlots);
    }

    public PaxosConfig {
        positive("windowSlots", windowSlots);
        positive("batchPayloadsMax", batchPayloadsMax);
        positive("batchBytesMax", batchBytesMax);
        positive("payloadBytesMax", payloadBytesMax);
        positive("pendingPayloadsMax", pendingPayloadsMax);
        positive("progressTimeoutMillis", progressTimeoutMillis);
        positive("retransmitMillis", retransmitMillis);
        positive("catchUpSlotsMax", catchUpSlotsMax);
        positive("inFlightSlotsMax", inFlightSlotsMax);
        // A leader's promises and catch-up replies reach this far below the decided prefix.
        if (historySlotsMax < catchUpSlotsMax) {
            throw new IllegalArgumentException("historySlotsMax (" + historySlotsMax + ") must be >= catchUpSlotsMax (" + catchUpSlotsMax + ")");
        }
        if (loadBatchDelayMillis < 0) throw new IllegalArgumentException("loadBatchDelayMillis must be >= 0, was " + loadBatchDelayMillis);
        if (progressTimeoutMaxMillis < progressTimeoutMillis) {
            throw new IllegalArgumentException("progressTimeoutMaxMillis (" + progressTimeoutMaxMillis
                    + ") must be >= progressTimeoutMillis (" + progressTimeoutMillis + ")");
        }
    }

    /** Default wait among sites once updates queue behind the instance in flight (README, issue 16). */
    static final long WIDE_LOAD_BATCH_DELAY_MILLIS = 40;

    private static void positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }

    /**
     * Defaults for ordering events among the servers of one site over a LAN. Four proposals in
     * flight: the wide-area messages a lone client's update brings (one from each other site)
     * arrive at nearly the same time and still go out at once (Table 4.2's rounds at 5 sites),
     * while under load what arrives meanwhile shares a proposal.
     */
    public static PaxosConfig localDefaults() {
        return new PaxosConfig(64, 256, 1 << 20, 256 * 1024, 8192, 40, 2_000, 10, 128, 4);
    }

    /**
     * Defaults for ordering client updates among logical machines over a WAN. One proposal in
     * flight: under load every wide-area instance, and so every LM signature on its proposal and
     * accepts, carries all the updates that arrived during the previous one (section 4.6).
     */
    public static PaxosConfig wideAreaDefaults() {
        return new PaxosConfig(32, 256, 1 << 20, 64 * 1024, 8192, 1_000, 16_000, 300, 64, 1, WIDE_LOAD_BATCH_DELAY_MILLIS, 1024);
    }

    public PaxosConfig withTimeouts(long progressMillis, long progressMaxMillis, long retransmitMillis) {
        return new PaxosConfig(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressMillis, progressMaxMillis, retransmitMillis, catchUpSlotsMax, inFlightSlotsMax, loadBatchDelayMillis, historySlotsMax);
    }

    public PaxosConfig withBatchPayloadsMax(int max) {
        return new PaxosConfig(windowSlots, max, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, inFlightSlotsMax, loadBatchDelayMillis, historySlotsMax);
    }

    public PaxosConfig withWindowSlots(int slots) {
        return new PaxosConfig(slots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, inFlightSlotsMax, loadBatchDelayMillis, historySlotsMax);
    }

    public PaxosConfig withInFlightSlotsMax(int slots) {
        return new PaxosConfig(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, slots, loadBatchDelayMillis, historySlotsMax);
    }

    public PaxosConfig withLoadBatchDelayMillis(long millis) {
        return new PaxosConfig(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, inFlightSlotsMax, millis, historySlotsMax);
    }

    public PaxosConfig withCatchUpSlotsMax(int slots) {
        return new PaxosConfig(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, slots, inFlightSlotsMax, loadBatchDelayMillis, historySlotsMax);
    }

    public PaxosConfig withHistorySlotsMax(int slots) {
        return new PaxosConfig(windowSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax,
                progressTimeoutMillis, progressTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, inFlightSlotsMax, loadBatchDelayMillis, slots);
    }
}
