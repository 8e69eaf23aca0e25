package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * A Merkle hash tree over an ordered list of messages, so that one logical-machine signature
 * over the root authenticates every message (Lane 2008, section 4.6, after Merkle [70]).
 *
 * <p>Hashes, each SHA-256 with a one-byte domain tag:
 * <ul>
 *   <li>leaf = H(0x00 || message);
 *   <li>inner node = H(0x01 || left || right);
 *   <li>root = H(0x02 || leafCount as 4 bytes big-endian || top node).
 * </ul>
 * The tags keep the three kinds of hash apart, so a leaf can never be presented as an inner
 * node (or the reverse) to prove a message that was never in the batch.
 *
 * <p>Odd levels: the last node of a level with an odd width is <em>promoted</em> to the next
 * level unchanged, not duplicated. Duplication (as in Bitcoin) makes [a, b, c] and [a, b, c, c]
 * hash alike, so a root would no longer fix the list of messages, and it costs one more hash per
 * odd level and one more sibling in the rightmost paths; promotion has neither problem.
 *
 * <p>Why the root commits to the leaf count: the dissertation signs the top node itself. With
 * promotion, the same walk of hashes can fit two shapes (leaf 2 of 3 and leaf 1 of 2 both climb
 * with one left sibling), so a forwarder could rewrite a path's position and it would still
 * verify. Binding the count makes the position part of what is signed: for a given message and
 * root there is exactly one valid path, and envelopes are not malleable.
 */
public final class MerkleTree {
    static final byte LEAF_TAG = 0x00;
    static final byte NODE_TAG = 0x01;
    static final byte ROOT_TAG = 0x02;

    /** levels.get(0) are the leaf hashes; the last level holds the single top node. */
    private final List<Bytes[]> levels;
    private final Bytes root;

    private MerkleTree(List<Bytes[]> levels) {
        this.levels = levels;
        Bytes[] top = levels.get(levels.size() - 1);
        this.root = rootHash(levels.get(0).length, top[0]);
    }

    /**
     * Builds the tree over {@code messages} in the given order. Called with the messages our own
     * site produced, so an empty or oversized list is a bug in the caller, not untrusted input.
     */
    public static MerkleTree of(List<Bytes> messages) {
        int n = messages.size();
        if (n < 1 || n > MerklePath.LEAF_COUNT_MAX) {
            throw new IllegalArgumentException("a tree needs 1 to " + MerklePath.LEAF_COUNT_MAX + " messages, got " + n);
        }
        List<Bytes[]> levels = new ArrayList<>();
        Bytes[] level = new Bytes[n];
        for (int i = 0; i < n; i++) level[i] = leafHash(messages.get(i));
        levels.add(level);
        while (level.length > 1) {
            Bytes[] up = new Bytes[(level.length + 1) / 2];
            for (int i = 0; i < up.length; i++) {
                int left = 2 * i;
                up[i] = left + 1 < level.length ? nodeHash(level[left], level[left + 1]) : level[left]; // promote the odd one
            }
            levels.add(up);
            level = up;
        }
        return new MerkleTree(levels);
    }

    public int leafCount() {
        return levels.get(0).length;
    }

    /** What the logical machine signs once for the whole batch (through {@link LmSignatureScheme#rootContent}). */
    public Bytes root() {
        return root;
    }

    /** The path that proves message {@code leafIndex} belongs under {@link #root()}. */
    public MerklePath path(int leafIndex) {
        int n = leafCount();
        if (leafIndex < 0 || leafIndex >= n) throw new IndexOutOfBoundsException("leaf " + leafIndex + " of " + n);
        List<Bytes> siblings = new ArrayList<>(levels.size());
        int index = leafIndex;
        for (int depth = 0; depth < levels.size() - 1; depth++, index >>>= 1) {
            Bytes[] level = levels.get(depth);
            int sibling = index ^ 1;
            if (sibling < level.length) siblings.add(level[sibling]);
        }
        return new MerklePath(leafIndex, n, siblings);
    }

    /**
     * Recomputes the root that {@code message} and {@code path} lead to. Pure hashing; the caller
     * compares the result with a signed root. Cannot fail: a {@link MerklePath} is always
     * consistent with its own leaf index and count.
     */
    public static Bytes rootFromPath(Bytes message, MerklePath path) {
        Bytes hash = leafHash(message);
        int next = 0;
        for (int index = path.leafIndex(), width = path.leafCount(); width > 1; index >>>= 1, width = (width + 1) >>> 1) {
            if ((index & 1) == 1) {
                hash = nodeHash(path.siblings().get(next++), hash);
            } else if (index + 1 < width) {
                hash = nodeHash(hash, path.siblings().get(next++));
            } // else: the promoted last node of an odd level climbs unchanged, exactly as in of()
        }
        return rootHash(path.leafCount(), hash);
    }

    /** The hash of a leaf, as its sibling's path carries it (BLink pairs a message with its link header: {@code LinkLeaf}). */
    public static Bytes leafDigest(Bytes message) {
        return leafHash(message);
    }

    static Bytes leafHash(Bytes message) {
        MessageDigest d = io.redoubt.lm.crypto.Digests.newSha256();
        d.update(LEAF_TAG);
        d.update(message.unsafeArray(), 0, message.length());
        return Bytes.wrap(d.digest());
    }

    static Bytes nodeHash(Bytes left, Bytes right) {
        MessageDigest d = io.redoubt.lm.crypto.Digests.newSha256();
        d.update(NODE_TAG);
        d.update(left.unsafeArray(), 0, left.length());
        d.update(right.unsafeArray(), 0, right.length());
        return Bytes.wrap(d.digest());
    }

    static Bytes rootHash(int leafCount, Bytes top) {
        MessageDigest d = io.redoubt.lm.crypto.Digests.newSha256();
        d.update(ROOT_TAG);
        d.update(new byte[] {(byte) (leafCount >>> 24), (byte) (leafCount >>> 16), (byte) (leafCount >>> 8), (byte) leafCount});
        d.update(top.unsafeArray(), 0, top.length());
        return Bytes.wrap(d.digest());
    }

    @Override
    public String toString() {
        return "MerkleTree(" + leafCount() + " leaves, root " + root + ")";
    }
}
