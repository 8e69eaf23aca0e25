package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.crypto.KeyDirectory;

/**
 * CLink-Order's Ordering_Request, OR(id_r, u, seq_r) (Lane 2008, section 4.5), in its digest-only
 * form: server {@code server} asks its site to order the client update whose digest is
 * {@code updateDigest}, as its {@code seq}-th request, and signs that. The signature covers the
 * digest, not the update, so a proof that a server equivocated ({@link Equivocation}) holds two
 * digests and two signatures, however large the updates. The ordered event carries the update
 * beside its request ({@link LmEvent.Requested}), since the site must execute it.
 */
public record OrderingRequest(ServerId server, long seq, Bytes updateDigest, Bytes signature) implements Encodable {
    public static final int DIGEST_BYTES = 32;
    /** Numbers per server a site keeps to compare with; one further below is refused (OrderingRequests). */
    public static final int WINDOW = 1024;

    public static Bytes signedContent(ServerId server, long seq, Bytes updateDigest) {
        return new CanonicalWriter().utf8("redoubt/clink-order").server(server).i64(seq).bytes(updateDigest).toBytes();
    }

    public Bytes signedContent() {
        return signedContent(server, seq, updateDigest);
    }

    /** {@code server}'s request number {@code seq} for {@code update}, signed with its own key. */
    public static OrderingRequest sign(KeyDirectory keys, ServerId server, long seq, SignedUpdate update) {
        Bytes digest = LogicalMachine.updateDigest(update.encode());
        return new OrderingRequest(server, seq, digest, keys.scheme().sign(keys.server(server).privateKey(), signedContent(server, seq, digest)));
    }

    /** Checks the signature; a pure function of the request and the deployment's public keys. */
    public boolean verify(KeyDirectory keys) {
        return keys.publicKeyOf(server).map(k -> keys.scheme().verify(k, signedContent(), signature)).orElse(false);
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        w.server(server).i64(seq).bytes(updateDigest).bytes(signature);
    }

    public static OrderingRequest decode(CanonicalReader r) throws DecodeException {
        ServerId server = r.server();
        long seq = r.nonNegative("ordering request seq");
        Bytes digest = r.bytes(DIGEST_BYTES);
        if (digest.length() != DIGEST_BYTES) throw new DecodeException("ordering request digest of " + digest.length() + " bytes, not " + DIGEST_BYTES);
        return new OrderingRequest(server, seq, digest, r.bytes(SignedUpdate.SIGNATURE_BYTES_MAX));
    }

    /**
     * Proof that {@code first.server()} is corrupt (section 4.5): two Ordering_Requests it signed
     * with one sequence number and different updates. Anyone holding the deployment's public keys
     * can check it; a correct server never signs two.
     */
    public record Equivocation(OrderingRequest first, OrderingRequest second) implements Encodable {
        public ServerId server() {
            return first.server();
        }

        /** Whether this proves what it says: one server, one number, two digests, both signatures good. */
        public boolean holds(KeyDirectory keys) {
            return first.server().equals(second.server()) && first.seq() == second.seq() && !first.updateDigest().equals(second.updateDigest())
                    && first.verify(keys) && second.verify(keys);
        }

        @Override
        public void encodeTo(CanonicalWriter w) {
            first.encodeTo(w);
            second.encodeTo(w);
        }

        @Override
        public String toString() {
            return first.server() + " signed two ordering requests numbered " + first.seq() + ", for updates "
                    + first.updateDigest().toHex().substring(0, 12) + "… and " + second.updateDigest().toHex().substring(0, 12) + "…";
        }
    }
}
