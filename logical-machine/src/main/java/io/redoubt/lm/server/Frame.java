package io.redoubt.lm.server;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.exec.TimeoutNotice;

/**
 * What travels between two endpoints (server or client). The link authenticates who sent a
 * frame (TLS in the Pekko host, construction in the simulator); what must be provable to a
 * third party carries its own signature: updates (client), wide-area messages (logical
 * machine) and timeout notices (server).
 */
public sealed interface Frame extends Encodable {
    int TAG_LOCAL = 1, TAG_WIDE = 2, TAG_NOTICE = 3, TAG_REQUEST = 4, TAG_REPLY = 5, TAG_SHARE = 6, TAG_PROOF_REQUEST = 7,
            TAG_PROOF_REPLY = 8, TAG_BLAME = 9;
    int ROOT_BYTES_MAX = 64;
    /** Room for a threshold-RSA partial of an 8192-bit key, or any ordinary signature. */
    int SHARE_BYTES_MAX = 2048;
    int PROOF_BYTES_MAX = 4096;
    int FRAME_BYTES_MAX = 8 * 1024 * 1024;

    /** A message of the site's local ordering protocol, between two servers of one site. */
    record Local(Bytes message) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_LOCAL).bytes(message);
        }
    }

    /**
     * A logical-machine message, forwarder to peer (section 4.4), with its Merkle path and the
     * sending site's signature on the root of its batch (section 4.6).
     */
    record Wide(SiteId from, SiteId to, LmEnvelopePart envelope) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_WIDE).site(from).site(to);
            envelope.encodeTo(w);
        }
    }

    /** A signed LM timer expiry notice, broadcast inside the site (section 4.3). */
    record Notice(TimeoutNotice notice) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_NOTICE);
            notice.encodeTo(w);
        }
    }

    /** A client's update, client to a server of its own site. */
    record Request(SignedUpdate update) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_REQUEST);
            update.encodeTo(w);
        }
    }

    /** The reply to a client's update, after it was globally ordered and executed. */
    record Reply(ClientId client, long seq, Bytes reply) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_REPLY).client(client).i64(seq).bytes(reply);
        }
    }

    /**
     * One server's share of its site's signature on a batch root (THRESHOLD-SIGN, section 3.4.2):
     * a threshold-RSA partial or an ordinary signature, sent to every server of the site.
     */
    record Share(Bytes root, Bytes share) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SHARE).bytes(root).bytes(share);
        }
    }

    /** The combiner's request for a proof of correctness of the receiver's partial (Figure 3.10, B5). */
    record ProofRequest(Bytes root) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_PROOF_REQUEST).bytes(root);
        }
    }

    /**
     * A server's partial for {@code root} with its proof of correctness, signed by the server so
     * that a failed proof is evidence any third party can check (Figure 3.10, B8).
     */
    record ProofReply(ServerId signer, Bytes root, Bytes share, Bytes proof, Bytes signature) implements Frame {
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
    record Blame(ProofReply evidence) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_BLAME);
            evidence.encodeBody(w);
        }
    }

    static Frame decode(Bytes bytes) throws DecodeException {
        if (bytes.length() > FRAME_BYTES_MAX) throw new DecodeException("frame of " + bytes.length() + " bytes exceeds " + FRAME_BYTES_MAX);
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8();
        Frame f = switch (tag) {
            case TAG_LOCAL -> new Local(r.bytes(FRAME_BYTES_MAX));
            case TAG_WIDE -> new Wide(r.site(), r.site(), LmEnvelopePart.decode(r, LmEvent.WIDE_MESSAGE_BYTES_MAX));
            case TAG_NOTICE -> new Notice(TimeoutNotice.decode(r));
            case TAG_REQUEST -> new Request(SignedUpdate.decode(r));
            case TAG_REPLY -> new Reply(r.client(), r.nonNegative("seq"), r.bytes(FRAME_BYTES_MAX));
            case TAG_SHARE -> new Share(r.bytes(ROOT_BYTES_MAX), r.bytes(SHARE_BYTES_MAX));
            case TAG_PROOF_REQUEST -> new ProofRequest(r.bytes(ROOT_BYTES_MAX));
            case TAG_PROOF_REPLY -> ProofReply.decodeBody(r);
            case TAG_BLAME -> new Blame(ProofReply.decodeBody(r));
            default -> throw new DecodeException("unknown frame tag " + tag);
        };
        r.expectEnd();
        return f;
    }
}
