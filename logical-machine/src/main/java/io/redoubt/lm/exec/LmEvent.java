package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import java.util.List;

/**
 * The events a site orders locally so that its servers act as one logical machine (section
 * 4.3): every input that can change the wide-area protocol instance is one of these, and the
 * wide-area core sees them only in the agreed order.
 */
public sealed interface LmEvent extends Encodable {
    int TAG_CLIENT_UPDATE = 1, TAG_WIDE_MESSAGE = 2, TAG_TIMEOUT = 3, TAG_LINK_MESSAGE = 4, TAG_REQUESTED = 5;
    int WIDE_MESSAGE_BYTES_MAX = 4 * 1024 * 1024;
    int NOTICES_MAX = 64;

    /**
     * A client update that server {@code via} received from a local client. {@code via} is part of
     * the event so that a retransmission through another server is a distinct payload and is
     * ordered, which lets that server answer with the cached reply.
     */
    record ClientUpdate(ServerId via, SignedUpdate update) implements LmEvent {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_CLIENT_UPDATE).server(via);
            update.encodeTo(w);
        }
    }

    /**
     * A client update that a server of a Byzantine site asks its site to order through CLink-Order
     * (section 4.5): the server's signed, numbered Ordering_Request and the update it names. The
     * update executes as a {@link ClientUpdate} through {@code request.server()}; the request is
     * kept so that two of one server with one number and different updates prove it corrupt.
     */
    record Requested(OrderingRequest request, SignedUpdate update) implements LmEvent {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_REQUESTED);
            request.encodeTo(w);
            update.encodeTo(w);
        }
    }

    /**
     * A wide-area message that logical machine {@code from} sent to this one, as it arrived: the
     * message, its Merkle path and the LM signature on the batch root (section 4.6).
     */
    record WideMessage(SiteId from, LmEnvelopePart envelope) implements LmEvent {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_WIDE_MESSAGE).site(from);
            envelope.encodeTo(w);
        }
    }

    /**
     * A wide-area message that logical machine {@code from} sent over its BLink logical link to
     * this one (section 4.4.1): the message with its Merkle path and the site signature, and the
     * link header ({@link LinkLeaf}) paired with it under the same root.
     */
    record LinkMessage(SiteId from, LmEnvelopePart envelope, Bytes header) implements LmEvent {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_LINK_MESSAGE).site(from);
            envelope.encodeTo(w);
            w.bytes(header);
        }
    }

    int LINK_HEADER_BYTES_MAX = 64 * 1024;

    /** An LM timeout: wide-area timer {@code timer} of generation {@code generation} expired, with proof. */
    record Timeout(TimerId timer, long generation, List<TimeoutNotice> proof) implements LmEvent {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_TIMEOUT);
            timer.encodeTo(w);
            w.i64(generation).list(proof, (out, n) -> n.encodeTo(out));
        }
    }

    static LmEvent decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8();
        LmEvent e = switch (tag) {
            case TAG_CLIENT_UPDATE -> new ClientUpdate(r.server(), SignedUpdate.decode(r));
            case TAG_WIDE_MESSAGE -> new WideMessage(r.site(), LmEnvelopePart.decode(r, WIDE_MESSAGE_BYTES_MAX));
            case TAG_LINK_MESSAGE -> new LinkMessage(r.site(), LmEnvelopePart.decode(r, WIDE_MESSAGE_BYTES_MAX), r.bytes(LINK_HEADER_BYTES_MAX));
            case TAG_REQUESTED -> new Requested(OrderingRequest.decode(r), SignedUpdate.decode(r));
            case TAG_TIMEOUT -> new Timeout(TimerId.decode(r), r.nonNegative("generation"), r.list(NOTICES_MAX, TimeoutNotice::decode));
            default -> throw new DecodeException("unknown LM event tag " + tag);
        };
        r.expectEnd();
        return e;
    }
}
