package io.redoubt.lm.sign;

import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.exec.SignedUpdate;

/**
 * The frames of THRESHOLD-SIGN (Lane 2008, section 3.4.2, Figure 3.10), exchanged among the
 * servers of one Byzantine site. They share the server-to-server tag space of
 * {@code io.redoubt.lm.server.Frame}, holding tags 6 to 9, 16 and 18 of it; the server routes a
 * frame with one of these tags here.
 */
public sealed interface SigningFrame extends Encodable {
    int TAG_SHARE = 6, TAG_PROOF_REQUEST = 7, TAG_PROOF_REPLY = 8, TAG_BLAME = 9, TAG_SHARE_REQUEST = 16, TAG_SIGNED = 18;
    /** Bounds a frame before it is decoded; the largest, a proof reply, is under 11 KiB. */
    int FRAME_BYTES_MAX = 64 * 1024;
    int ROOT_BYTES_MAX = 64;
    /** Room for a threshold-RSA partial of an 8192-bit key, or any ordinary signature. */
    int SHARE_BYTES_MAX = 2048;
    int PROOF_BYTES_MAX = 4096;

    /**
     * One server's share of its site's signature on a batch root: a threshold-RSA partial or an
     * ordinary signature, sent to every server of the site.
     */
    record Share(Bytes root, Bytes share) implements SigningFrame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SHARE).bytes(root).bytes(share);
        }
    }

    /**
     * The combiner's request for the receiver's share of {@code root}: with amortization on only
     * f+1 servers share a batch unasked, and the combiner asks others when one of those is
     * suspected, or when a share turned out bad (see {@link ThresholdSign}).
     */
    record ShareRequest(Bytes root) implements SigningFrame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SHARE_REQUEST).bytes(root);
        }
    }

    /** The combiner's request for a proof of correctness of the receiver's partial (Figure 3.10, B5). */
    record ProofRequest(Bytes root) implements SigningFrame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PROOF_REQUEST).bytes(root);
        }
    }

    /**
     * A server's partial for {@code root} with its proof of correctness, signed by the server so
     * that a failed proof is evidence any third party can check (Figure 3.10, B8).
     */
    record ProofReply(ServerId signer, Bytes root, Bytes share, Bytes proof, Bytes signature) implements SigningFrame {
        public static Bytes signedContent(ServerId signer, Bytes root, Bytes share, Bytes proof) {
            return new CanonicalWriter().utf8("redoubt/proof-reply").server(signer).bytes(root).bytes(share).bytes(proof).toBytes();
        }

        public Bytes signedContent() {
            return signedContent(signer, root, share, proof);
        }

        void encodeBody(CanonicalWriter w) {
            w.server(signer).bytes(root).bytes(share).bytes(proof).bytes(signature);
        }

        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PROOF_REPLY);
            encodeBody(w);
        }

        static ProofReply decodeBody(CanonicalReader r) throws DecodeException {
            return new ProofReply(r.server(), r.bytes(ROOT_BYTES_MAX), r.bytes(SHARE_BYTES_MAX), r.bytes(PROOF_BYTES_MAX),
                    r.bytes(SignedUpdate.SIGNATURE_BYTES_MAX));
        }
    }

    /** Evidence that {@code evidence.signer()} produced a bad partial: every correct server of the site blacklists it (Figure 3.10, B9). */
    record Blame(ProofReply evidence) implements SigningFrame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_BLAME);
            evidence.encodeBody(w);
        }
    }

    /**
     * The site's signature on {@code root}, from the server that combined it to every other server
     * of the site: any of them can then send the batch's messages again, as a later forwarder,
     * without a new round of partials (BLink's forwarders resend what the site signed once,
     * section 4.4).
     */
    record Signed(Bytes root, LmSignature signature) implements SigningFrame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SIGNED).bytes(root);
            signature.encodeTo(w);
        }
    }

    /** Whether {@code tag} (a frame's first byte) is one of these frames. */
    static boolean isSigningTag(int tag) {
        return tag >= TAG_SHARE && tag <= TAG_BLAME || tag == TAG_SHARE_REQUEST || tag == TAG_SIGNED;
    }

    static SigningFrame decode(Bytes bytes) throws DecodeException {
        if (bytes.length() > FRAME_BYTES_MAX) throw new DecodeException("frame of " + bytes.length() + " bytes exceeds " + FRAME_BYTES_MAX);
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8();
        SigningFrame f = switch (tag) {
            case TAG_SHARE -> new Share(r.bytes(ROOT_BYTES_MAX), r.bytes(SHARE_BYTES_MAX));
            case TAG_PROOF_REQUEST -> new ProofRequest(r.bytes(ROOT_BYTES_MAX));
            case TAG_PROOF_REPLY -> ProofReply.decodeBody(r);
            case TAG_BLAME -> new Blame(ProofReply.decodeBody(r));
            case TAG_SHARE_REQUEST -> new ShareRequest(r.bytes(ROOT_BYTES_MAX));
            case TAG_SIGNED -> new Signed(r.bytes(ROOT_BYTES_MAX), LmSignature.decode(r));
            default -> throw new DecodeException("not a signing frame: tag " + tag);
        };
        r.expectEnd();
        return f;
    }
}
