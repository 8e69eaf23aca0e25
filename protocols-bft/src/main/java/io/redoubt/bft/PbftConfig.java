package io.redoubt.bft;

/**
 * Settings of one PBFT instance (Castro and Liskov, OSDI '99; Lane 2008, section 2.2.2). The same
 * core runs among the 3f+1 servers of a site and among 3F+1 sites acting as logical machines
 * (section 4.3), so every timing is a setting, never a constant.
 *
 * @param windowSlots distance between the low watermark (the last stable checkpoint) and the high
 *     watermark: a pre-prepare is accepted only for slots in {@code (low, low + windowSlots]}
 * @param checkpointIntervalSlots a checkpoint is taken after every this many delivered slots
 * @param batchPayloadsMax most payloads in one pre-prepared batch (and in one forward)
 * @param batchBytesMax most payload bytes in one batch
 * @param payloadBytesMax largest payload accepted from {@code submit} or a peer
 * @param pendingPayloadsMax most payloads held per source (per submitting member) waiting to be
 *     ordered; more are shed (Lane 2008, section 4.4.1, "Fairness": one queue per source)
 * @param requestTimeoutMillis how long a payload may wait before this node suspects the primary;
 *     doubles on each suspicion up to the maximum
 * @param requestTimeoutMaxMillis cap for the doubling
 * @param viewChangeTimeoutMillis how long a node waits for the new view after voting for it before
 *     voting for the next one; doubles per consecutive view change (PBFT section 4.5.2)
 * @param viewChangeTimeoutMaxMillis cap for the doubling
 * @param retransmitMillis period of retransmission of this node's own protocol messages for
 *     unfinished slots, of its view change, and of state-fetch requests
 * @param catchUpSlotsMax most slots carried in one state-fetch reply
 * @param historySlotsMax most delivered batches kept (with their proofs) to serve lagging members;
 *     a member further behind than this needs an application snapshot, which the core does not own
 * @param inFlightSlotsMax most slots the primary has proposed and not yet delivered; payloads that
 *     arrive beyond it wait and leave together in the next batch. Without a bound every payload
 *     gets its own instance (and its own signed messages) whenever the window has room, so batching
 *     (and the signatures it saves, Lane 2008, section 4.6) would only start once the window is full
 * @param forwardToPrimaryFirst whether a member sends a payload submitted to it to the primary
 *     alone, as a PBFT client sends its request (OSDI '99, section 4.1), and to every member only
 *     when its request timer finds it still unordered; otherwise it sends it to every member at
 *     once. Among sites every copy is a wide-area message and an event its site must order, so
 *     there the primary comes first (issue 16).
 * @param batchDelayMillis how long the primary waits, from the first payload it could propose, for
 *     others to share its batch: payloads that arrive at about the same time (every other site's
 *     message of one wide-area phase) then share one pre-prepare and one set of signed prepares and
 *     commits (Lane 2008, section 4.6: "if the external accept messages arrive at about the same
 *     time, the latency can be lower with aggregation"). A full batch leaves at once. 0: no wait
 * @param loadBatchDelayMillis how long the primary waits before its next proposal once payloads
 *     had to wait behind its proposals in flight (load): under load among sites, the closed-loop
 *     clients whose updates the last instance carried send their next ones just after it is
 *     delivered, and this lets them join the next instance instead of the one after. A payload
 *     that finds nothing in flight (a lone client's) never waits. 0: no wait
 * @param retransmitMaxMillis how far the retransmission period may stretch while slots keep being
 *     delivered and a tick finds nothing a whole period old to resend (it doubles per such tick, and
 *     falls back to {@code retransmitMillis} at the first tick that resends or finds no progress).
 *     Among sites every tick is an LM timeout, signed and ordered in every site, and under steady
 *     load nearly every one finds nothing to do (issue 16). Equal to {@code retransmitMillis}: a
 *     fixed period
 */
public record PbftConfig(
        int windowSlots,
        int checkpointIntervalSlots,
        int batchPayloadsMax,
        int batchBytesMax,
        int payloadBytesMax,
        int pendingPayloadsMax,
        long requestTimeoutMillis,
        long requestTimeoutMaxMillis,
        long viewChangeTimeoutMillis,
        long viewChangeTimeoutMaxMillis,
        long retransmitMillis,
        int catchUpSlotsMax,
        int historySlotsMax,
        int inFlightSlotsMax,
        boolean forwardToPrimaryFirst,
        long batchDelayMillis,
        long loadBatchDelayMillis,
        long retransmitMaxMillis) {

    /** As above, sending every payload to every member at once. */
    public PbftConfig(int windowSlots, int checkpointIntervalSlots, int batchPayloadsMax, int batchBytesMax, int payloadBytesMax,
                      int pendingPayloadsMax, long requestTimeoutMillis, long requestTimeoutMaxMillis, long viewChangeTimeoutMillis,
                      long viewChangeTimeoutMaxMillis, long retransmitMillis, int catchUpSlotsMax, int historySlotsMax, int inFlightSlotsMax) {
        this(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax, requestTimeoutMillis,
                requestTimeoutMaxMillis, viewChangeTimeoutMillis, viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax,
                inFlightSlotsMax, false, 0, 0, retransmitMillis);
    }

    /** As above, with no batch delay. */
    public PbftConfig(int windowSlots, int checkpointIntervalSlots, int batchPayloadsMax, int batchBytesMax, int payloadBytesMax,
                      int pendingPayloadsMax, long requestTimeoutMillis, long requestTimeoutMaxMillis, long viewChangeTimeoutMillis,
                      long viewChangeTimeoutMaxMillis, long retransmitMillis, int catchUpSlotsMax, int historySlotsMax, int inFlightSlotsMax,
                      boolean forwardToPrimaryFirst) {
        this(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax, pendingPayloadsMax, requestTimeoutMillis,
                requestTimeoutMaxMillis, viewChangeTimeoutMillis, viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax,
                inFlightSlotsMax, forwardToPrimaryFirst, 0, 0, retransmitMillis);
    }

    public PbftConfig {
        positive("windowSlots", windowSlots);
        positive("checkpointIntervalSlots", checkpointIntervalSlots);
        positive("batchPayloadsMax", batchPayloadsMax);
        positive("batchBytesMax", batchBytesMax);
        positive("payloadBytesMax", payloadBytesMax);
        positive("pendingPayloadsMax", pendingPayloadsMax);
        positive("requestTimeoutMillis", requestTimeoutMillis);
        positive("viewChangeTimeoutMillis", viewChangeTimeoutMillis);
        positive("retransmitMillis", retransmitMillis);
        positive("catchUpSlotsMax", catchUpSlotsMax);
        positive("historySlotsMax", historySlotsMax);
        positive("inFlightSlotsMax", inFlightSlotsMax);
        if (batchDelayMillis < 0) throw new IllegalArgumentException("batchDelayMillis must be >= 0, was " + batchDelayMillis);
        if (loadBatchDelayMillis < 0) throw new IllegalArgumentException("loadBatchDelayMillis must be >= 0, was " + loadBatchDelayMillis);
        atLeast("windowSlots", windowSlots, "checkpointIntervalSlots", checkpointIntervalSlots);
        atLeast("catchUpSlotsMax", catchUpSlotsMax, "checkpointIntervalSlots", checkpointIntervalSlots);
        atLeast("historySlotsMax", historySlotsMax, "windowSlots", windowSlots);
        atLeast("requestTimeoutMaxMillis", requestTimeoutMaxMillis, "requestTimeoutMillis", requestTimeoutMillis);
        atLeast("viewChangeTimeoutMaxMillis", viewChangeTimeoutMaxMillis, "viewChangeTimeoutMillis", viewChangeTimeoutMillis);
        atLeast("retransmitMaxMillis", retransmitMaxMillis, "retransmitMillis", retransmitMillis);
        if (payloadBytesMax > batchBytesMax) {
            throw new IllegalArgumentException("payloadBytesMax (" + payloadBytesMax + ") must be <= batchBytesMax (" + batchBytesMax + ")");
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) throw new IllegalArgumentException(name + " must be > 0, was " + value);
    }

    private static void atLeast(String name, long value, String otherName, long other) {
        if (value < other) {
            throw new IllegalArgumentException(name + " (" + value + ") must be >= " + otherName + " (" + other + ")");
        }
    }

    /** Default in-flight bounds, chosen with {@code bin/redoubt fidelity} (signatures per update under load) and the campaigns (latency). */
    static final int LOCAL_IN_FLIGHT_SLOTS = 4, WIDE_IN_FLIGHT_SLOTS = 1;
    /** Default hold among a site's servers, chosen with {@code bin/redoubt sim} under load (README, issue 16). */
    static final long LOCAL_BATCH_DELAY_MILLIS = 1;
    /** Default wait among sites once updates queue behind the instance in flight (README, issue 16). */
    static final long WIDE_LOAD_BATCH_DELAY_MILLIS = 40;
    /** Default stretch of the retransmission period among sites: twice the period, within the request timeout (README, issue 16). */
    static final long WIDE_RETRANSMIT_MAX_MILLIS = 600;

    public PbftConfig withInFlightSlotsMax(int max) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax, max, forwardToPrimaryFirst, batchDelayMillis, loadBatchDelayMillis, retransmitMaxMillis);
    }

    /** Defaults for ordering events among the 3f+1 servers of one site over a LAN. */
    public static PbftConfig localDefaults() {
        return new PbftConfig(128, 64, 256, 1 << 20, 256 * 1024, 4096, 50, 2_000, 100, 4_000, 10, 256, 4096, LOCAL_IN_FLIGHT_SLOTS, false, LOCAL_BATCH_DELAY_MILLIS, 0, 10);
    }

    /** Defaults for ordering among 3F+1 logical machines over a WAN. */
    public static PbftConfig wideAreaDefaults() {
        return new PbftConfig(64, 32, 256, 1 << 20, 64 * 1024, 4096, 1_000, 16_000, 2_000, 32_000, 300, 128, 2048, WIDE_IN_FLIGHT_SLOTS, true, 0, WIDE_LOAD_BATCH_DELAY_MILLIS, WIDE_RETRANSMIT_MAX_MILLIS);
    }

    /** New timeouts; the retransmission period keeps the stretch it had (as a multiple of the period). */
    public PbftConfig withTimeouts(long requestMillis, long viewChangeMillis, long retransmitMillis) {
        long stretch = Math.max(1, this.retransmitMaxMillis / this.retransmitMillis);
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestMillis, Math.max(requestTimeoutMaxMillis, requestMillis), viewChangeMillis,
                Math.max(viewChangeTimeoutMaxMillis, viewChangeMillis), retransmitMillis, catchUpSlotsMax, historySlotsMax, inFlightSlotsMax, forwardToPrimaryFirst,
                batchDelayMillis, loadBatchDelayMillis, retransmitMillis * stretch);
    }

    public PbftConfig withWindow(int windowSlots, int checkpointIntervalSlots) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, Math.max(catchUpSlotsMax, checkpointIntervalSlots),
                Math.max(historySlotsMax, windowSlots), inFlightSlotsMax, forwardToPrimaryFirst, batchDelayMillis, loadBatchDelayMillis, retransmitMaxMillis);
    }

    public PbftConfig withBatchPayloadsMax(int max) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, max, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax, inFlightSlotsMax, forwardToPrimaryFirst, batchDelayMillis, loadBatchDelayMillis, retransmitMaxMillis);
    }

    public PbftConfig withBatchDelayMillis(long millis) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax, inFlightSlotsMax, forwardToPrimaryFirst, millis, loadBatchDelayMillis, retransmitMaxMillis);
    }

    public PbftConfig withLoadBatchDelayMillis(long millis) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax, inFlightSlotsMax, forwardToPrimaryFirst,
                batchDelayMillis, millis, retransmitMaxMillis);
    }

    public PbftConfig withRetransmitMaxMillis(long millis) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax, inFlightSlotsMax, forwardToPrimaryFirst,
                batchDelayMillis, loadBatchDelayMillis, millis);
    }

    public PbftConfig withHistorySlotsMax(int slots) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, slots, inFlightSlotsMax, forwardToPrimaryFirst,
                batchDelayMillis, loadBatchDelayMillis, retransmitMaxMillis);
    }

    public PbftConfig withForwardToPrimaryFirst(boolean on) {
        return new PbftConfig(windowSlots, checkpointIntervalSlots, batchPayloadsMax, batchBytesMax, payloadBytesMax,
                pendingPayloadsMax, requestTimeoutMillis, requestTimeoutMaxMillis, viewChangeTimeoutMillis,
                viewChangeTimeoutMaxMillis, retransmitMillis, catchUpSlotsMax, historySlotsMax, inFlightSlotsMax, on, batchDelayMillis, loadBatchDelayMillis, retransmitMaxMillis);
    }
}
