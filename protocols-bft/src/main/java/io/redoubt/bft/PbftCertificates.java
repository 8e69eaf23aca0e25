package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.lm.Bytes;
import java.util.ArrayList;
import java.util.List;

/**
 * Signatures and certificates (the signature variant of Castro and Liskov, OSDI '99, section 4,
 * with every message signed): whether a message is authentic, whether a third party could check it
 * without us, and whether a batch, a commit certificate or a stable checkpoint certificate holds.
 * At the wide-area tier a member's own entries inside its own messages are vouched for by the
 * enclosing message's proof ({@link LmProofKeys}).
 */
final class PbftCertificates<N> {
    /** No enclosing message vouches: a message taken off the wire. */
    static final int NOBODY = -1;

    private final PbftConfig config;
    private final List<N> members;
    private final int self;
    private final int quorum;
    private final NodeKeys<N> keys;
    /** Forwards carry MAC authenticators (NodeKeys#authenticates), where one fits in a message's signature field. */
    private final boolean macs;

    PbftCertificates(PbftConfig config, List<N> members, int self, int quorum, NodeKeys<N> keys) {
        this.macs = keys.authenticates() && (long) members.size() * NodeKeys.MAC_BYTES <= PbftMessage.SIGNATURE_LENGTH_MAX;
        this.config = config;
        this.members = members;
        this.self = self;
        this.quorum = quorum;
        this.keys = keys;
    }

    /**
     * Whether {@code m} is authentic. Where the transport signs ({@link NodeKeys#signsByTransport}),
     * a member's own entries inside its own message carry no signature: {@code vouchedBy}, the
     * signer of the (already checked) enclosing message, stands for them, and for nobody else.
     */
    boolean validSignature(PbftMessage m, int vouchedBy) {
        if (m.replica() < 0 || m.replica() >= members.size()) return false;
        // A forward is taken only from its sender, who put a MAC for us in it (NodeKeys#authenticates).
        if (maced(m)) return vouchedBy == NOBODY && keys.checkAuthenticator(members.get(m.replica()), m.signedBytes(), m.signature(), self);
        if (m.signature().isEmpty()) return keys.signsByTransport() && m.replica() == vouchedBy;
        return keys.verify(members.get(m.replica()), m.signedBytes(), m.signature());
    }

    /**
     * Whether {@code m} carries a MAC authenticator instead of a signature: forwards, which never
     * leave the member they are sent to (a payload relayed at a request timeout leaves in the
     * relayer's own forward). Commits stay signed although they never leave the site: a faulty
     * member can make the entries of an authenticator disagree (Castro and Liskov, TOCS 2002,
     * section 3.2), and a commit certificate holding its commit would then convince some members
     * and not others, so a lagging member could be refused every certificate its peers hold
     * (a campaign seed did exactly that, fetching the same slot forever).
     */
    boolean maced(PbftMessage m) {
        return macs && m instanceof PbftMessage.Forward;
    }

    /** Whether a third party could check {@code m} without us: it is signed, or it is ours (we vouch for it). */
    boolean relayable(PbftMessage m) {
        return m.replica() == self || !m.signature().isEmpty();
    }

    /**
     * The first {@code quorum} commits of a certificate we hold that a third member will accept
     * (relayable, and a signature that verifies; ours need no check), or null if there are fewer.
     * The commits of a slot we committed ourselves were counted unchecked (PbftCore#checkCommitted).
     */
    List<Commit> relayableCommits(List<Commit> certificate) {
        List<Commit> good = new ArrayList<>(quorum);
        for (Commit c : certificate) {
            if (good.size() == quorum) break;
            if (c.replica() == self || (relayable(c) && validSignature(c, NOBODY))) good.add(c);
        }
        return good.size() == quorum ? List.copyOf(good) : null;
    }

    boolean allRelayable(List<? extends PbftMessage> messages) {
        for (PbftMessage m : messages) if (!relayable(m)) return false;
        return true;
    }

    String checkBatchSize(List<Bytes> batch) {
        if (batch.size() > config.batchPayloadsMax()) return "batch of " + batch.size() + " payloads exceeds batchPayloadsMax";
        long bytes = 0;
        for (Bytes p : batch) bytes += p.length();
        if (bytes > config.batchBytesMax()) return "batch of " + bytes + " bytes exceeds batchBytesMax";
        return null;
    }

    String checkBatch(PrePrepare pp) {
        if (!pp.batchDigest().equals(PbftMessage.batchDigest(pp.batch()))) return "pre-prepare digest does not match its batch";
        return checkBatchSize(pp.batch());
    }

    /** The digest a valid checkpoint certificate for {@code seq}, sent by {@code vouchedBy}, proves, or null. */
    Bytes validCheckpointCertificate(long seq, List<Checkpoint> proof, int vouchedBy) {
        if (proof.isEmpty() || (seq + 1) % config.checkpointIntervalSlots() != 0) return null;
        Bytes digest = proof.get(0).stateDigest();
        boolean[] seen = new boolean[members.size()];
        for (Checkpoint c : proof) {
            if (c.sequence() != seq || !c.stateDigest().equals(digest) || seen[c.replica()] || !validSignature(c, vouchedBy)) return null;
            seen[c.replica()] = true;
        }
        return proof.size() >= quorum ? digest : null;
    }

    boolean validCommitCertificate(long seq, List<Bytes> batch, List<Commit> commits, int vouchedBy) {
        Bytes digest = PbftMessage.batchDigest(batch);
        long v = commits.get(0).view();
        boolean[] seen = new boolean[members.size()];
        for (Commit c : commits) {
            if (c.sequence() != seq || c.view() != v || !c.batchDigest().equals(digest) || seen[c.replica()] || !validSignature(c, vouchedBy)) return false;
            seen[c.replica()] = true;
        }
        return commits.size() >= quorum;
    }
}
