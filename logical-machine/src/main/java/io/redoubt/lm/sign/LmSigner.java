package io.redoubt.lm.sign;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.exec.LmHost;
import java.util.List;
import java.util.Set;

/**
 * One server's part in signing its site's wide-area output as a logical machine (Lane 2008,
 * sections 4.3 and 4.6): a benign site signs a batch's Merkle root in one step with its site key
 * ({@link SiteKeySigner}); a Byzantine site combines f+1 shares (THRESHOLD-SIGN,
 * {@link ThresholdSign}). Either way the signer hands the signed batch back to the server, whose
 * link forwards it.
 */
public interface LmSigner {
    /**
     * The wide-area messages of one executed batch, their distinct contents with the Merkle tree
     * over them, and its attempt number, which picks the server that combines (and, with the
     * stand-in link, forwards) its signature; {@code resend} says the output was sent before, so
     * every server shares in signing it again.
     */
    record Batch(List<LmHost.Outgoing> messages, List<Bytes> distinct, MerkleBatch tree, int attempt, boolean resend) {
        /** The stand-in's numbering: attempt 0 is the first sending, any later one a resend. */
        public Batch(List<LmHost.Outgoing> messages, List<Bytes> distinct, MerkleBatch tree, int attempt) {
            this(messages, distinct, tree, attempt, attempt > 0);
        }

        Batch withAttempt(int a) {
            return new Batch(messages, distinct, tree, a, resend || a > attempt);
        }
    }

    /** What a signer asks of its server. */
    interface Host {
        /** Whether this server forwards the {@code attempt}-th sending of a batch (the link decides). */
        boolean isForwarder(int attempt);

        /** The server that forwards the {@code attempt}-th sending of a batch; attempts rotate through every server of the site. */
        ServerId forwarder(int attempt);

        /** {@code batch} is signed: forward it. */
        void signed(Batch batch, LmSignature signature);

        /** Whether this server sends any of {@code batch}'s messages itself, so needs the signature here (a site-key signer signs where it is needed). */
        default boolean forwardsAny(Batch batch) {
            return isForwarder(batch.attempt());
        }

        /** This server holds the site signature on {@code batch}, made by another server of the site. */
        default void signatureKnown(Batch batch, LmSignature signature) {}

        void sendToServer(ServerId to, Bytes frame);

        void reject(Object from, Rejection reason, String detail);

        /** Runs {@code job} wherever the host likes and hands its result to {@link LmSigner#onCryptoDone} as a later input, never during this call. */
        void offload(CryptoJob job);
    }

    /** Signs one executed batch's output; every correct server of the site calls this for the same batches. */
    void sign(Batch batch);

    /** A {@link SigningFrame} from another server of the site (already checked to be one). */
    void onFrame(ServerId from, Bytes frame);

    /** The result of a job this signer offloaded; one that is late or not this signer's is ignored. */
    void onCryptoDone(CryptoResult result);

    /**
     * Whether a job this signer offloaded is still of use (a pure query). A host holding jobs back
     * may drop the ones that are not, instead of spending the CPU.
     */
    boolean isWanted(CryptoJob job);

    /** Site signatures this server produced as forwarder. */
    long lmSignatures();

    /** Shares (threshold partials or certificate signatures) this server computed. */
    long sharesMade();

    /** Proofs of correctness of partials this server computed on request. */
    long proofsMade();

    /** Servers proven to have sent a bad partial (Figure 3.10). */
    Set<ServerId> blacklist();
}
