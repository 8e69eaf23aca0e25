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
import java.util.List;

/**
 * What travels between two endpoints (server or client). The link authenticates who sent a
 * frame (TLS in the Pekko host, construction in the simulator); what must be provable to a
 * third party carries its own signature: updates (client), wide-area messages (logical
 * machine) and timeout notices (server).
 */
public sealed interface Frame extends Encodable {
    /**
     * Every tag of the server-to-server and client frames, in one registry. Tags 6 to 9 are
     * THRESHOLD-SIGN's own frames ({@link io.redoubt.lm.sign.SigningFrame}), decoded by that
     * component; the server routes a frame by its first byte. Tag 14 is the host's report of its
     * site cluster to a status request (the runtime's {@code SiteMembers}): the node neither makes
     * nor reads it. Tags 16 and 18 are THRESHOLD-SIGN's share request and its signed root.
     * Tag 19 is BLink's frame, forwarder to peer. Tags 20 and 21 carry a snapshot of the logical
     * machine between two servers of one site (issue 18).
     */
    int TAG_LOCAL = 1, TAG_WIDE = 2, TAG_NOTICE = 3, TAG_REQUEST = 4, TAG_REPLY = 5, TAG_QUERY = 10, TAG_QUERY_REPLY = 11,
            TAG_STATUS_REQUEST = 12, TAG_STATUS = 13, TAG_SITE_MEMBERS = 14, TAG_FORWARD = 15, TAG_VOUCH = 17, TAG_LINK = 19,
            TAG_SNAPSHOT_REQUEST = 20, TAG_SNAPSHOT_CHUNK = 21, TAG_SNAPSHOT_CLAIM = 22,
            TAG_SNAPSHOT_CLAIMS_WANTED = 23;
    /** Largest piece of a snapshot in one {@link SnapshotChunk}. */
    int SNAPSHOT_CHUNK_BYTES_MAX = 256 * 1024;
    /** Largest snapshot a server fetches: the whole logical machine, application included. */
    long SNAPSHOT_BYTES_MAX = 1L << 30;
    /** Most update digests in one {@link Vouch}: a wide-area batch's worth. */
    int VOUCHED_UPDATES_MAX = 4096;
    /** Largest read a client may ask a server to answer. */
    int QUERY_BYTES_MAX = 64 * 1024;
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

    /**
     * A logical-machine message on a BLink logical link (section 4.4.1), forwarder to peer: the
     * message with its Merkle path and site signature, and its link header ({@link
     * io.redoubt.lm.exec.LinkLeaf}), the leaf paired with the message's under the same root.
     */
    record Link(SiteId from, SiteId to, LmEnvelopePart envelope, Bytes header) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_LINK).site(from).site(to);
            envelope.encodeTo(w);
            w.bytes(header);
        }
    }

    /** A signed LM timer expiry notice, broadcast inside the site (section 4.3). */
    record Notice(TimeoutNotice notice) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_NOTICE);
            notice.encodeTo(w);
        }
    }

    /**
     * A client's update, client to a server of its own site. {@code retransmit} is CLink's
     * retransmit flag (section 4.5): the client got no reply in time and sent it to f + 1
     * servers, so the server orders it at home (CLink-Order) instead of sending it on unordered
     * (CLink-Opt).
     */
    record Request(SignedUpdate update, boolean retransmit) implements Frame {
        public Request(SignedUpdate update) {
            this(update, false);
        }

        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_REQUEST);
            update.encodeTo(w);
            w.bool(retransmit);
        }
    }

    /**
     * A client's update, sent on unordered by a server of the client's site to a server of the
     * leader site (CLink-Opt, section 4.5). Only the client's signature vouches for it: the
     * receiving site orders it as if its own client had handed it in.
     */
    record Forward(SignedUpdate update) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_FORWARD);
            update.encodeTo(w);
        }
    }

    /**
     * Between two servers of one site: the sender checked the client signatures of the updates
     * with these digests (SHA-256 of each encoded update) and found them good. See
     * ServerNode#onVouch for why a server may take that from f+1 of its site.
     */
    record Vouch(List<Bytes> updateDigests) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_VOUCH).bytesList(updateDigests);
        }
    }

    /**
     * Between two servers of one site: the sender's local core needs a snapshot of the logical
     * machine after at least slot {@code slotAtLeast} (log compaction, issue 18); send the piece
     * of your latest one from {@code offset}.
     */
    record SnapshotRequest(long slotAtLeast, long offset) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SNAPSHOT_REQUEST).i64(slotAtLeast).i64(offset);
        }
    }

    /**
     * A piece of the sender's latest snapshot of its logical machine after local slot {@code slot}:
     * {@code totalBytes} long, with SHA-256 {@code digest}, this piece from {@code offset}.
     */
    record SnapshotChunk(long slot, Bytes digest, long totalBytes, long offset, Bytes data) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SNAPSHOT_CHUNK).i64(slot).bytes(digest).i64(totalBytes).i64(offset).bytes(data);
        }
    }

    /**
     * Between two servers of a Byzantine site: {@code server} signed that its snapshot after local
     * slot {@code slot} has SHA-256 {@code digest}. Correct servers take the same snapshot after
     * the same slot, so f+1 matching claims certify a digest (one of them is correct), and a
     * fetched snapshot is checked against it, whoever served it (issue 18).
     */
    record SnapshotClaim(ServerId server, long slot, Bytes digest, long totalBytes, Bytes signature) implements Frame {
        /** The size is signed too: a fetch sizes its buffer by a certified size, never by what one piece says. */
        public static Bytes signedContent(ServerId server, long slot, Bytes digest, long totalBytes) {
            return new CanonicalWriter().utf8("redoubt/snapshot-claim").server(server).i64(slot).bytes(digest).i64(totalBytes).toBytes();
        }

        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SNAPSHOT_CLAIM).server(server).i64(slot).bytes(digest).i64(totalBytes).bytes(signature);
        }
    }

    /**
     * Between two servers of a Byzantine site: the sender needs a snapshot after at least
     * {@code slotAtLeast} and holds too few claims to certify one (it was down when they were
     * sent); answer with your claims of the snapshots you keep.
     */
    record SnapshotClaimsWanted(long slotAtLeast) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_SNAPSHOT_CLAIMS_WANTED).i64(slotAtLeast);
        }
    }

    /** The reply to a client's update, after it was globally ordered and executed. */
    record Reply(ClientId client, long seq, Bytes reply) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_REPLY).client(client).i64(seq).bytes(reply);
        }
    }

    /**
     * A read answered by the server's own copy of the service, without ordering (a local read,
     * section 4.2's "query"): fast, and possibly behind the global order. {@code nonce} matches the
     * answer to the question.
     */
    record Query(long nonce, Bytes read) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_QUERY).i64(nonce).bytes(read);
        }
    }

    /** A server's answer to a {@link Query}. */
    record QueryReply(long nonce, Bytes reply) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_QUERY_REPLY).i64(nonce).bytes(reply);
        }
    }

    /** An operator's question to one server: how it stands (answered by {@link Status}). */
    record StatusRequest(long nonce) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_STATUS_REQUEST).i64(nonce);
        }
    }

    /**
     * How one server stands: its view and leader at both tiers (the wide-area leader is a site),
     * what it executed, and how many inputs it rejected. Operations only; it proves nothing.
     */
    record Status(long nonce, ServerId server, long localView, int localLeader, long wideView, int wideLeaderSite, long executedUpdates,
                  long executedEvents, long rejections) implements Frame {
        public void encodeTo(CanonicalWriter w) {
            w.u8(TAG_STATUS).i64(nonce).server(server).i64(localView).i32(localLeader).i64(wideView).i32(wideLeaderSite).i64(executedUpdates)
                    .i64(executedEvents).i64(rejections);
        }
    }

    /** Decodes a server's {@link Status}, and nothing else. */
    static Status decodeStatus(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        if (r.u8() != TAG_STATUS) throw new DecodeException("not a status");
        Status s = new Status(r.i64(), r.server(), r.i64(), r.i32(), r.i64(), r.i32(), r.i64(), r.i64(), r.i64());
        r.expectEnd();
        return s;
    }

    /** Decodes a server's answer to a query, and nothing else. */
    static QueryReply decodeQueryReply(Bytes bytes) throws DecodeException {
        if (bytes.length() > FRAME_BYTES_MAX) throw new DecodeException("frame of " + bytes.length() + " bytes exceeds " + FRAME_BYTES_MAX);
        CanonicalReader r = new CanonicalReader(bytes);
        if (r.u8() != TAG_QUERY_REPLY) throw new DecodeException("not a query reply");
        QueryReply reply = new QueryReply(r.i64(), r.bytes(FRAME_BYTES_MAX));
        r.expectEnd();
        return reply;
    }

    /** Decodes what a server sends a client: a {@link Reply}, and nothing else. */
    static Reply decodeReply(Bytes bytes) throws DecodeException {
        if (bytes.length() > FRAME_BYTES_MAX) throw new DecodeException("frame of " + bytes.length() + " bytes exceeds " + FRAME_BYTES_MAX);
        CanonicalReader r = new CanonicalReader(bytes);
        if (r.u8() != TAG_REPLY) throw new DecodeException("not a reply");
        Reply reply = new Reply(r.client(), r.nonNegative("seq"), r.bytes(FRAME_BYTES_MAX));
        r.expectEnd();
        return reply;
    }

    /** The tag of an encoded frame, or -1 for an empty one. */
    static int tagOf(Bytes bytes) {
        return bytes.length() == 0 ? -1 : bytes.unsafeArray()[0] & 0xff;
    }

    static Frame decode(Bytes bytes) throws DecodeException {
        if (bytes.length() > FRAME_BYTES_MAX) throw new DecodeException("frame of " + bytes.length() + " bytes exceeds " + FRAME_BYTES_MAX);
        CanonicalReader r = new CanonicalReader(bytes);
        int tag = r.u8();
        Frame f = switch (tag) {
            case TAG_LOCAL -> new Local(r.bytes(FRAME_BYTES_MAX));
            case TAG_WIDE -> new Wide(r.site(), r.site(), LmEnvelopePart.decode(r, LmEvent.WIDE_MESSAGE_BYTES_MAX));
            case TAG_LINK -> new Link(r.site(), r.site(), LmEnvelopePart.decode(r, LmEvent.WIDE_MESSAGE_BYTES_MAX), r.bytes(LmEvent.LINK_HEADER_BYTES_MAX));
            case TAG_NOTICE -> new Notice(TimeoutNotice.decode(r));
            case TAG_REQUEST -> new Request(SignedUpdate.decode(r), r.bool());
            case TAG_FORWARD -> new Forward(SignedUpdate.decode(r));
            case TAG_VOUCH -> new Vouch(r.bytesList(VOUCHED_UPDATES_MAX, 32));
            case TAG_REPLY -> new Reply(r.client(), r.nonNegative("seq"), r.bytes(FRAME_BYTES_MAX));
            case TAG_QUERY -> new Query(r.i64(), r.bytes(QUERY_BYTES_MAX));
            case TAG_STATUS_REQUEST -> new StatusRequest(r.i64());
            case TAG_QUERY_REPLY -> new QueryReply(r.i64(), r.bytes(FRAME_BYTES_MAX));
            case TAG_SNAPSHOT_REQUEST -> new SnapshotRequest(r.nonNegative("slot"), r.nonNegative("offset"));
            case TAG_SNAPSHOT_CLAIMS_WANTED -> new SnapshotClaimsWanted(r.nonNegative("slot"));
            case TAG_SNAPSHOT_CLAIM -> {
                ServerId server = r.server();
                long slot = r.nonNegative("slot");
                Bytes digest = r.bytes(32);
                if (digest.length() != 32) throw new DecodeException("snapshot claim names a digest of " + digest.length() + " bytes");
                long total = r.nonNegative("total bytes");
                if (total > SNAPSHOT_BYTES_MAX) throw new DecodeException("snapshot claim of " + total + " bytes");
                yield new SnapshotClaim(server, slot, digest, total, r.bytes(SignedUpdate.SIGNATURE_BYTES_MAX));
            }
            case TAG_SNAPSHOT_CHUNK -> {
                long slot = r.nonNegative("slot");
                Bytes digest = r.bytes(32);
                long total = r.nonNegative("total bytes"), offset = r.nonNegative("offset");
                Bytes data = r.bytes(SNAPSHOT_CHUNK_BYTES_MAX);
                if (digest.length() != 32 || total > SNAPSHOT_BYTES_MAX || offset > total || offset + data.length() > total) {
                    throw new DecodeException("snapshot chunk of " + data.length() + " bytes at " + offset + " of " + total);
                }
                yield new SnapshotChunk(slot, digest, total, offset, data);
            }
            default -> throw new DecodeException("unknown frame tag " + tag);
        };
        r.expectEnd();
        return f;
    }
}
