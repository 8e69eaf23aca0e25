package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.MerkleTree;
import java.util.ArrayList;
import java.util.List;

/**
 * The link header of one wide-area message under BLink (section 4.4.1): for each logical machine
 * the message goes to, its link sequence number there and the cumulative acknowledgement of that
 * machine's link back to the sender. It is the Merkle leaf right of the message's own leaf, so
 * the one site signature over the root covers the numbers and the acknowledgements too, while
 * the message's leaf is the message alone: a wide-area core that relays the message with its
 * path (PBFT's proofs) relays exactly what it relayed before.
 *
 * <p>A leaf starts with a byte no wide-area core message starts with and a label, so it can never
 * pass for a protocol message. It also carries the number of the logical machine's output batch,
 * so that no two batches have the same root: two outputs with the same messages (an
 * acknowledgement alone repeated, the same unacknowledged messages resent after two moves) are
 * two signatures, each sent by whoever forwards it then.
 */
public record LinkLeaf(long output, List<Entry> entries) {
    /** One destination of the message: its link sequence number (0: an acknowledgement alone) and the acknowledgement it carries. */
    public record Entry(SiteId to, long seq, long ackThrough) {}

    public static final int ENTRIES_MAX = 1024;
    private static final int MARK = 0xFF;
    private static final String LABEL = "redoubt/blink";

    public LinkLeaf {
        entries = List.copyOf(entries);
    }

    /** A header of output 0. */
    public LinkLeaf(List<Entry> entries) {
        this(0, entries);
    }

    public Bytes encode() {
        CanonicalWriter w = new CanonicalWriter().u8(MARK).utf8(LABEL).i64(output).i32(entries.size());
        for (Entry e : entries) w.site(e.to()).i64(e.seq()).i64(e.ackThrough());
        return w.toBytes();
    }

    public static LinkLeaf decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        if (r.u8() != MARK || !LABEL.equals(r.utf8(LABEL.length()))) throw new DecodeException("not a link header");
        long output = r.i64();
        int n = r.count(ENTRIES_MAX, "link header entry");
        List<Entry> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) entries.add(new Entry(r.site(), r.nonNegative("link seq"), r.nonNegative("ack")));
        r.expectEnd();
        return new LinkLeaf(output, entries);
    }

    /** The entries for {@code site}. */
    public List<Entry> entriesFor(SiteId site) {
        List<Entry> mine = new ArrayList<>(1);
        for (Entry e : entries) if (e.to().equals(site)) mine.add(e);
        return mine;
    }

    /**
     * Whether {@code header} is the leaf paired with {@code envelope}'s message: the message sits at
     * an even leaf and the header's leaf hash is its first sibling. The envelope's own signature
     * check then covers both.
     */
    public static boolean pairedWith(Bytes header, LmEnvelopePart envelope) {
        return envelope.path().leafIndex() % 2 == 0 && !envelope.path().siblings().isEmpty()
                && envelope.path().leafIndex() + 1 < envelope.path().leafCount()
                && MerkleTree.leafDigest(header).equals(envelope.path().siblings().get(0));
    }
}
