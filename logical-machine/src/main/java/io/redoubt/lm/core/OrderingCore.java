package io.redoubt.lm.core;

import io.redoubt.lm.Bytes;
import java.util.List;

/**
 * A state-machine-replication protocol as a pure object: Multi-Paxos and PBFT implement it, and
 * the same class serves both tiers of a composition (Lane 2008, section 4.3). Inside a site the
 * nodes are servers and timers are real timers; on the wide area the nodes are sites (logical
 * machines), messages leave signed by the site, and a timer is an LM timeout.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Inputs are the methods below and nothing else changes the state. The host calls them
 *       one at a time, never concurrently.</li>
 *   <li>Outputs go to the {@link Outbox} given at construction, during the input call that
 *       caused them.</li>
 *   <li><b>No re-entry.</b> Nothing an output triggers may call an input method of the same core
 *       while the call that produced it runs: the host queues such inputs (a server queues the
 *       events it will submit to its local core) and feeds them after the call returns. Read-only
 *       queries are allowed meanwhile. {@link ReentryGuard} throws on a breach; every server wraps
 *       its cores in it, so every simulated step checks the rule.</li>
 *   <li>No clock, threads, sockets or unseeded randomness: the only notion of time is a timer
 *       firing. Two cores given the same inputs in the same order produce the same outputs.</li>
 *   <li>Untrusted input (any {@code onMessage}) is validated; bad input is passed to
 *       {@link Outbox#reject} and dropped, never thrown.</li>
 *   <li>Construction restores from the records the core persisted earlier (empty for a new
 *       node); then the host calls {@link #start()} exactly once before any other input.</li>
 * </ul>
 *
 * @param <N> node identity type
 */
public interface OrderingCore<N> {

    /** Called once, after construction (and restore), before any other input. */
    void start();

    /** A message from {@code from}, as bytes off the wire: decoding and validation happen here. */
    void onMessage(N from, Bytes message);

    /**
     * A message with the proof its transport gave it: at the wide-area tier, the message's Merkle
     * path and its logical machine's signature on the root (section 4.6), already checked by the
     * host. A core that passes other members' messages on inside certificates keeps the proof
     * beside the message so a third party can check it; the others ignore it.
     */
    default void onMessage(N from, Bytes message, Bytes transportProof) {
        onMessage(from, message);
    }

    /** Timer {@code id}, armed earlier with {@link Outbox#setTimer}, fired. */
    void onTimer(TimerId id);

    /**
     * Asks for {@code payload} to be ordered. The core orders it at least once if this node
     * stays correct and connected long enough (it forwards to the leader and retransmits);
     * duplicates are possible, so the layer above makes execution idempotent.
     */
    void submit(Bytes payload);

    /**
     * Read-only, a hint: the payloads that handling {@code message} from {@code from} would ask
     * {@link Outbox#admits} about, so that a host can have them checked before it hands the
     * message in (the logical machine's servers check client signatures while the site orders
     * the message, see ServerNode#onVouch). Changes nothing; by default none.
     */
    default List<Bytes> payloadsToAdmit(N from, Bytes message) {
        return List.of();
    }

    /**
     * Whether every payload this core delivers was admitted ({@link Outbox#admits}) by at least
     * one correct member before it could be ordered, so that a host need not check it again on
     * delivery. False by default.
     */
    default boolean deliversOnlyAdmitted() {
        return false;
    }

    /** Whether this node currently believes it leads the protocol. Advisory, for hosts. */
    boolean isLeader();

    /** The node this core currently believes leads. Advisory, for hosts. */
    N leader();

    /** The view (ballot) this node is in; it grows by one per leader change. */
    long view();

    /** The highest slot delivered so far in this incarnation, or -1. */
    long deliveredThrough();

    /** Payloads submitted here and not yet seen ordered; for hosts' progress reporting. */
    int pendingCount();

    /** A short human-readable status for traces. */
    String describe();

    /**
     * Checks this core's own invariants (watermarks ordered, a promised ballot never shrinks, no
     * two different certified batches in one slot, ...) and throws {@link IllegalStateException}
     * naming the first one broken. Only our own state is checked: untrusted input never reaches
     * an invariant unvalidated. The simulator calls this after every step; tests call it too.
     */
    void checkInvariants();

    /**
     * A digest of the canonical encoding of everything in this core's state that decides its
     * future outputs. At the wide-area tier every correct server of a site must hold the same
     * digest after the same ordered events (the logical-machine property, section 4.3), which
     * the simulator's checker verifies.
     */
    Bytes stateDigest();

    // ---------------------------------------------------------------- snapshots and compaction (issue 18)

    /**
     * Writes this core's whole state, canonically, so that {@link #readSnapshot} on a core built
     * the same way yields a core with the same {@link #stateDigest()} that behaves identically
     * from then on. The logical machine snapshots its wide-area core this way: the site's state
     * after a checkpoint is the executor's tables, this core and the application (section 4.3).
     */
    /** Read-only: how many slots this core holds in memory (its log and its delivered history), for reports on bounded state. */
    default long slotsHeld() {
        return 0;
    }

    /** Whether {@link #writeSnapshot} and {@link #readSnapshot} are implemented. */
    default boolean writesSnapshots() {
        return false;
    }

    default void writeSnapshot(io.redoubt.lm.codec.CanonicalWriter w) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no snapshot");
    }

    /**
     * Loads a snapshot written by {@link #writeSnapshot} into this core, which must be freshly
     * built from no records and not started: it is then as the core that wrote it (started, if
     * that one was). The bytes come from another server: anything malformed is a DecodeException,
     * and the caller checks the resulting state digest against the certified one.
     */
    default void readSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws io.redoubt.lm.codec.DecodeException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no snapshot");
    }

    /** Whether this core takes part in host snapshots: {@link #installSnapshot} and {@link #recordsAfterSnapshot}. */
    default boolean compactsWithSnapshots() {
        return false;
    }

    /**
     * Read-only, asked while slot {@code slot} is being delivered ({@link Outbox#deliver}), when the
     * host snapshots its state after it: what this core needs besides that snapshot to go on from
     * there (PBFT: the hash chain over the delivered batches, which its checkpoints sign). The host
     * keeps it with the snapshot and hands it back to {@link #installSnapshot} and
     * {@link #recordsAfterSnapshot}. Every correct member gives the same for the same slot.
     */
    default Bytes baseAfter(long slot) {
        return Bytes.EMPTY;
    }

    /** Read-only: whether {@code base}, come from elsewhere, is one {@link #baseAfter} of a core like this could have given. */
    default boolean acceptsBase(Bytes base) {
        return base.length() == 0;
    }

    /**
     * Read-only: the newest slot after which a member behind could install a snapshot (PBFT: the
     * stable checkpoint, see PbftCore#canInstallSnapshot); the host keeps its newest snapshot at
     * or below it to serve them. Unbounded by default.
     */
    default long snapshotAnchor() {
        return Long.MAX_VALUE;
    }

    /**
     * Read-only: the digest of the host's state after {@code slot} that a certificate this core
     * holds vouches for ({@link Outbox#checkpointState} at a quorum of members), or null if it holds
     * none for that slot. A host that may not believe one member's word installs a state fetched
     * from it only if it matches this. None by default.
     */
    default Bytes certifiedState(long slot) {
        return null;
    }

    /** Read-only: whether this core's checkpoints certify its host's state ({@link #certifiedState}). */
    default boolean certifiesState() {
        return false;
    }

    /** Read-only: whether {@link #installSnapshot} would take a snapshot after {@code slot} now. */
    default boolean canInstallSnapshot(long slot) {
        return slot > deliveredThrough();
    }

    /**
     * The host installed a snapshot of its state after slot {@code slot} (fetched because of
     * {@link Outbox#snapshotNeeded}; {@code base} is what {@link #baseAfter} gave where it was
     * taken): this core takes every slot through it as delivered, delivers nothing through it,
     * and catches up from the next one. Only when {@link #canInstallSnapshot} says so.
     */
    default void installSnapshot(long slot, Bytes base) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not compact with snapshots");
    }

    /**
     * Records that, handed back at a restart together with the host's snapshot after slot
     * {@code slot} (at most {@link #deliveredThrough()}; {@code base} as kept with it), rebuild
     * this core: the host may then replace its whole stable storage by the snapshot and these
     * (log compaction). The restarted core delivers only the slots after {@code slot}.
     */
    default List<Bytes> recordsAfterSnapshot(long slot, Bytes base) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not compact with snapshots");
    }

    /** Persisted records a core of this kind writes; hosts hand them back on restart. */
    interface Restorer<N, C extends OrderingCore<N>> {
        C restore(List<Bytes> persistedRecords);
    }
}
