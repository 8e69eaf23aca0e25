package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.crypto.Digests;
import java.util.List;

/**
 * Messages of PBFT (Castro and Liskov, OSDI '99 and TOCS 2002, section 4; Lane 2008, section
 * 2.2.2). View {@code v} is led by member {@code v mod n}. Every message names the member index
 * that signed it and carries that signature, because view changes and state transfer pass
 * certificates of other members' messages to third parties. The signature covers
 * {@link #signedBytes()}: the tag and every field except the signature itself, which comes last,
 * so a message as sent is its signed bytes followed by its signature (at the wide-area tier a
 * message leaves with an empty signature and its LM proof covers exactly those bytes; see
 * {@link LmProofKeys}).
 */
public sealed interface PbftMessage extends Encodable {
    int TAG_PRE_PREPARE = 1, TAG_PREPARE = 2, TAG_COMMIT = 3, TAG_CHECKPOINT = 4, TAG_VIEW_CHANGE = 5,
            TAG_NEW_VIEW = 6, TAG_FORWARD = 7, TAG_FETCH_REQUEST = 8, TAG_FETCH_REPLY = 9;

    /** Views above this are refused, so that {@code view + 1} never overflows. */
    long VIEW_MAX = 1L << 62;
    /** Sequence numbers above this are refused, so that window arithmetic never overflows. */
    long SEQUENCE_MAX = 1L << 62;
    int DIGEST_LENGTH = 32;
    /** An Ed25519 signature, or at the wide-area tier an encoded LM proof. */
    int SIGNATURE_LENGTH_MAX = io.redoubt.lm.crypto.merkle.LmProof.ENCODED_BYTES_MAX;
    /** Most members of one instance; more would make certificates unreasonably large. */
    int MEMBERS_MAX = 1024;

    /** The member index of the signer. */
    int replica();

    Bytes signature();

    /** Writes what the signature covers. */
    void encodeSigned(CanonicalWriter w);

    /** This message with {@code signature} in place of its current one. */
    PbftMessage withSignature(Bytes signature);

    /** The bytes the signature covers. */
    default Bytes signedBytes() {
        CanonicalWriter w = new CanonicalWriter();
        encodeSigned(w);
        return w.toBytes();
    }

    @Override
    default void encodeTo(CanonicalWriter w) {
        encodeSigned(w);
        w.bytes(signature());
    }

    /** Assigns {@code batch} (by its digest) to {@code sequence} in {@code view}; sent by the primary. */
    record PrePrepare(long view, long sequence, Bytes batchDigest, int replica, List<Bytes> batch, Bytes signature)
            implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_PRE_PREPARE).i64(view).i64(sequence).bytes(batchDigest).i32(replica).bytesList(batch);
        }

        public PrePrepare withSignature(Bytes s) {
            return new PrePrepare(view, sequence, batchDigest, replica, batch, s);
        }
    }

    /** A backup accepted the pre-prepare of {@code view} for {@code sequence}. */
    record Prepare(long view, long sequence, Bytes batchDigest, int replica, Bytes signature) implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_PREPARE).i64(view).i64(sequence).bytes(batchDigest).i32(replica);
        }

        public Prepare withSignature(Bytes s) {
            return new Prepare(view, sequence, batchDigest, replica, s);
        }
    }

    /** The sender holds a prepared certificate for ({@code view}, {@code sequence}, digest). */
    record Commit(long view, long sequence, Bytes batchDigest, int replica, Bytes signature) implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_COMMIT).i64(view).i64(sequence).bytes(batchDigest).i32(replica);
        }

        public Commit withSignature(Bytes s) {
            return new Commit(view, sequence, batchDigest, replica, s);
        }
    }

    /**
     * The sender delivered every slot through {@code sequence}, and the hash chain over those
     * batches is {@code stateDigest} (the core does not own application state; the chain stands for
     * it). Where the host's state is certified too (Outbox#checkpointState: among sites, issue 18)
     * the digest is the chain followed by that state's digest; see {@link #chainOf}.
     */
    record Checkpoint(long sequence, Bytes stateDigest, int replica, Bytes signature) implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_CHECKPOINT).i64(sequence).bytes(stateDigest).i32(replica);
        }

        public Checkpoint withSignature(Bytes s) {
            return new Checkpoint(sequence, stateDigest, replica, s);
        }
    }

    /** A pre-prepare with the matching prepares of distinct backups: proof that a batch prepared. */
    record PreparedCertificate(PrePrepare prePrepare, List<Prepare> prepares) {
        void encodeTo(CanonicalWriter w) {
            prePrepare.encodeTo(w);
            w.list(prepares, (out, p) -> p.encodeTo(out));
        }
    }

    /**
     * The sender votes to move to {@code view}: its last stable checkpoint with its proof, and for
     * each slot above it the prepared certificate of the highest view it holds.
     */
    record ViewChange(long view, long stableSequence, List<Checkpoint> stableProof, List<PreparedCertificate> prepared,
            int replica, Bytes signature) implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_VIEW_CHANGE).i64(view).i64(stableSequence);
            w.list(stableProof, (out, c) -> c.encodeTo(out));
            w.list(prepared, (out, c) -> c.encodeTo(out));
            w.i32(replica);
        }

        public ViewChange withSignature(Bytes s) {
            return new ViewChange(view, stableSequence, stableProof, prepared, replica, s);
        }
    }

    /**
     * The primary of {@code view} installs it: the quorum of view changes it used and the
     * pre-prepares (the O set) that every member recomputes from them before accepting.
     */
    record NewView(long view, List<ViewChange> viewChanges, List<PrePrepare> prePrepares, int replica, Bytes signature)
            implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_NEW_VIEW).i64(view);
            w.list(viewChanges, (out, v) -> v.encodeTo(out));
            w.list(prePrepares, (out, p) -> p.encodeTo(out));
            w.i32(replica);
        }

        public NewView withSignature(Bytes s) {
            return new NewView(view, viewChanges, prePrepares, replica, s);
        }
    }

    /**
     * Payloads submitted at the sender (their source), sent to every member: the primary orders them,
     * and every member times them (Lane 2008, section 4.4.1, "Fairness").
     */
    record Forward(List<Bytes> payloads, int replica, Bytes signature) implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_FORWARD).bytesList(payloads).i32(replica);
        }

        public Forward withSignature(Bytes s) {
            return new Forward(payloads, replica, s);
        }
    }

    /**
     * A member that is behind asks for delivered slots from {@code fromSequence} on; it is in
     * {@code view} and its last stable checkpoint is {@code stableSequence} (the replier sends a newer
     * stable checkpoint certificate if it has one).
     */
    record FetchRequest(long fromSequence, long view, long stableSequence, int replica, Bytes signature) implements PbftMessage {
        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_FETCH_REQUEST).i64(fromSequence).i64(view).i64(stableSequence).i32(replica);
        }

        public FetchRequest withSignature(Bytes s) {
            return new FetchRequest(fromSequence, view, stableSequence, replica, s);
        }
    }

    /**
     * Delivered batches from {@code firstSequence} on with their proof. Either {@code commits} is a
     * quorum of matching commits for the single batch, or {@code checkpointProof} is a quorum of
     * matching checkpoints whose chain digest the batches must reproduce, ending at the checkpoint.
     * With no batches, {@code checkpointProof} alone certifies the checkpoint after slot
     * {@code firstSequence - 1} (a newer low watermark for the requester).
     */
    record SlotProof(long firstSequence, List<List<Bytes>> batches, List<Checkpoint> checkpointProof, List<Commit> commits) {
        void encodeTo(CanonicalWriter w) {
            w.i64(firstSequence);
            w.list(batches, CanonicalWriter::bytesList);
            w.list(checkpointProof, (out, c) -> c.encodeTo(out));
            w.list(commits, (out, c) -> c.encodeTo(out));
        }

        long lastSequence() {
            return firstSequence + batches.size() - 1;
        }
    }

    /**
     * The answer to a {@link FetchRequest}: proofs for consecutive slots, in order, and the first
     * delivered slot the sender still holds ({@code historyFrom}; -1: not said). A requester below
     * it can catch up only through a snapshot of its host (log compaction, issue 18).
     */
    record FetchReply(long fromSequence, List<SlotProof> proofs, int replica, Bytes signature, long historyFrom) implements PbftMessage {
        public FetchReply(long fromSequence, List<SlotProof> proofs, int replica, Bytes signature) {
            this(fromSequence, proofs, replica, signature, -1);
        }

        public void encodeSigned(CanonicalWriter w) {
            w.u8(TAG_FETCH_REPLY).i64(fromSequence);
            w.list(proofs, (out, p) -> p.encodeTo(out));
            w.i64(historyFrom).i32(replica);
        }

        public FetchReply withSignature(Bytes s) {
            return new FetchReply(fromSequence, proofs, replica, s, historyFrom);
        }
    }

    // ------------------------------------------------------------------ digests

    /** SHA-256 of the canonical encoding of a batch; an empty batch is the null request. */
    static Bytes batchDigest(List<Bytes> batch) {
        return Digests.sha256(new CanonicalWriter().bytesList(batch).toBytes());
    }

    /** The hash chain over delivered batches: the value after appending {@code sequence}. */
    static Bytes chain(Bytes previous, long sequence, Bytes batchDigest) {
        return Digests.sha256(previous, new CanonicalWriter().i64(sequence).bytes(batchDigest).toBytes());
    }

    /** The hash chain part of a checkpoint's digest. */
    static Bytes chainOf(Bytes checkpointDigest) {
        if (checkpointDigest.length() == DIGEST_LENGTH) return checkpointDigest;
        return Bytes.wrap(java.util.Arrays.copyOf(checkpointDigest.unsafeArray(), DIGEST_LENGTH));
    }

    /** The host state's part of a checkpoint's digest, or null if it certifies the chain alone. */
    static Bytes hostStateOf(Bytes checkpointDigest) {
        if (checkpointDigest.length() != CHECKPOINT_DIGEST_LENGTH_MAX) return null;
        return Bytes.wrap(java.util.Arrays.copyOfRange(checkpointDigest.unsafeArray(), DIGEST_LENGTH, CHECKPOINT_DIGEST_LENGTH_MAX));
    }

    /** A checkpoint's digest: the chain, followed by the host state's digest where it has one (issue 18). */
    static Bytes checkpointDigest(Bytes chain, Bytes hostState) {
        if (hostState.isEmpty()) return chain;
        if (hostState.length() != DIGEST_LENGTH) throw new IllegalArgumentException("a host state digest of " + hostState.length() + " bytes");
        byte[] both = java.util.Arrays.copyOf(chain.unsafeArray(), CHECKPOINT_DIGEST_LENGTH_MAX);
        System.arraycopy(hostState.unsafeArray(), 0, both, DIGEST_LENGTH, DIGEST_LENGTH);
        return Bytes.wrap(both);
    }

    /** Longest checkpoint digest: a chain and a host state's digest. */
    int CHECKPOINT_DIGEST_LENGTH_MAX = 2 * DIGEST_LENGTH;

    /** The chain value before slot 0. */
    Bytes CHAIN_START = Bytes.wrap(new byte[DIGEST_LENGTH]);

    // ------------------------------------------------------------------ decoding

    /** Decodes untrusted bytes; every count and length is bounded by {@code config} and {@code members}. */
    static PbftMessage decode(Bytes bytes, PbftConfig config, int members) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        Limits l = new Limits(config, members);
        int tag = r.u8();
        PbftMessage m = switch (tag) {
            case TAG_PRE_PREPARE -> prePrepareBody(r, l);
            case TAG_PREPARE -> prepareBody(r, l);
            case TAG_COMMIT -> commitBody(r, l);
            case TAG_CHECKPOINT -> checkpointBody(r, l);
            case TAG_VIEW_CHANGE -> viewChangeBody(r, l);
            case TAG_NEW_VIEW -> new NewView(view(r), r.list(members, in -> nested(in, TAG_VIEW_CHANGE, x -> viewChangeBody(x, l))),
                    r.list(config.windowSlots(), in -> nested(in, TAG_PRE_PREPARE, x -> prePrepareBody(x, l))),
                    replica(r, members), signature(r));
            case TAG_FORWARD -> new Forward(r.bytesList(config.batchPayloadsMax(), config.payloadBytesMax()), replica(r, members), signature(r));
            case TAG_FETCH_REQUEST -> new FetchRequest(sequence(r), view(r), stableSequence(r), replica(r, members), signature(r));
            case TAG_FETCH_REPLY -> fetchReplyBody(r, l);
            default -> throw new DecodeException("unknown PBFT message tag " + tag);
        };
        r.expectEnd();
        return m;
    }

    /** Bounds for decoding, derived from the configuration and the member count. */
    record Limits(PbftConfig config, int members) {}

    @FunctionalInterface
    interface Body<T> {
        T read(CanonicalReader r) throws DecodeException;
    }

    private static <T> T nested(CanonicalReader r, int expectedTag, Body<T> body) throws DecodeException {
        int tag = r.u8();
        if (tag != expectedTag) throw new DecodeException("expected nested tag " + expectedTag + ", found " + tag);
        return body.read(r);
    }

    private static PrePrepare prePrepareBody(CanonicalReader r, Limits l) throws DecodeException {
        return new PrePrepare(view(r), sequence(r), digest(r), replica(r, l.members()),
                r.bytesList(l.config().batchPayloadsMax(), l.config().payloadBytesMax()), signature(r));
    }

    private static Prepare prepareBody(CanonicalReader r, Limits l) throws DecodeException {
        return new Prepare(view(r), sequence(r), digest(r), replica(r, l.members()), signature(r));
    }

    private static Commit commitBody(CanonicalReader r, Limits l) throws DecodeException {
        return new Commit(view(r), sequence(r), digest(r), replica(r, l.members()), signature(r));
    }

    private static Checkpoint checkpointBody(CanonicalReader r, Limits l) throws DecodeException {
        return new Checkpoint(sequence(r), checkpointDigest(r), replica(r, l.members()), signature(r));
    }

    private static ViewChange viewChangeBody(CanonicalReader r, Limits l) throws DecodeException {
        long view = view(r);
        long stable = stableSequence(r);
        List<Checkpoint> proof = r.list(l.members(), in -> nested(in, TAG_CHECKPOINT, z -> checkpointBody(z, l)));
        List<PreparedCertificate> prepared = r.list(l.config().windowSlots(), in -> new PreparedCertificate(
                nested(in, TAG_PRE_PREPARE, x -> prePrepareBody(x, l)),
                in.list(l.members(), y -> nested(y, TAG_PREPARE, z -> prepareBody(z, l)))));
        return new ViewChange(view, stable, proof, prepared, replica(r, l.members()), signature(r));
    }

    private static FetchReply fetchReplyBody(CanonicalReader r, Limits l) throws DecodeException {
        long from = sequence(r);
        int slotsMax = l.config().catchUpSlotsMax();
        // Up to slotsMax slots, each its own entry when proved by commits, plus one leading entry
        // without batches: a stable checkpoint proof newer than the requester's (see onFetchRequest).
        List<SlotProof> proofs = r.list(slotsMax + 1, in -> new SlotProof(sequence(in),
                in.list(slotsMax, x -> x.bytesList(l.config().batchPayloadsMax(), l.config().payloadBytesMax())),
                in.list(l.members(), x -> nested(x, TAG_CHECKPOINT, z -> checkpointBody(z, l))),
                in.list(l.members(), x -> nested(x, TAG_COMMIT, z -> commitBody(z, l)))));
        long total = 0;
        for (SlotProof p : proofs) total += p.batches().size();
        if (total > slotsMax) throw new DecodeException("fetch reply carries " + total + " slots, more than " + slotsMax);
        long historyFrom = r.i64();
        if (historyFrom < -1 || historyFrom > SEQUENCE_MAX) throw new DecodeException("history from " + historyFrom);
        return new FetchReply(from, proofs, replica(r, l.members()), signature(r), historyFrom);
    }

    private static long view(CanonicalReader r) throws DecodeException {
        long v = r.nonNegative("view");
        if (v > VIEW_MAX) throw new DecodeException("view " + v + " exceeds " + VIEW_MAX);
        return v;
    }

    private static long sequence(CanonicalReader r) throws DecodeException {
        long s = r.nonNegative("sequence");
        if (s > SEQUENCE_MAX) throw new DecodeException("sequence " + s + " exceeds " + SEQUENCE_MAX);
        return s;
    }

    private static long stableSequence(CanonicalReader r) throws DecodeException {
        long stable = r.i64();
        if (stable < -1 || stable > SEQUENCE_MAX) throw new DecodeException("stable sequence out of range: " + stable);
        return stable;
    }

    private static Bytes digest(CanonicalReader r) throws DecodeException {
        Bytes d = r.bytes(DIGEST_LENGTH);
        if (d.length() != DIGEST_LENGTH) throw new DecodeException("digest must be " + DIGEST_LENGTH + " bytes, was " + d.length());
        return d;
    }

    static Bytes checkpointDigest(CanonicalReader r) throws DecodeException {
        Bytes d = r.bytes(CHECKPOINT_DIGEST_LENGTH_MAX);
        if (d.length() != DIGEST_LENGTH && d.length() != CHECKPOINT_DIGEST_LENGTH_MAX) {
            throw new DecodeException("checkpoint digest must be " + DIGEST_LENGTH + " or " + CHECKPOINT_DIGEST_LENGTH_MAX + " bytes, was " + d.length());
        }
        return d;
    }

    private static int replica(CanonicalReader r, int members) throws DecodeException {
        int i = r.i32();
        if (i < 0 || i >= members) throw new DecodeException("replica index " + i + " outside [0, " + members + ")");
        return i;
    }

    private static Bytes signature(CanonicalReader r) throws DecodeException {
        return r.bytes(SIGNATURE_LENGTH_MAX);
    }
}
