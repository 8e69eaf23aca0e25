package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.util.List;

/**
 * The hashes a receiver needs to recompute a batch root from one message: the siblings on the
 * way from leaf {@code leafIndex} up to the top, lowest level first (Lane 2008, section 4.6:
 * "we include the series of hashes that can be used to generate the root hash").
 *
 * <p>Odd nodes are promoted (see {@link MerkleTree}), so a level where the walk's node has no
 * sibling contributes nothing: the count is exactly {@link #expectedSiblingCount}, at most
 * ceil(log2(leafCount)), and exactly log2(leafCount) when that is a power of two.
 *
 * <p>The constructor rejects any inconsistent path with {@link IllegalArgumentException}, so a
 * {@code MerklePath} that exists is always walkable; {@link #decode} checks the same rules first
 * and reports them as {@link DecodeException}, the only thing untrusted bytes can cause.
 */
public record MerklePath(int leafIndex, int leafCount, List<Bytes> siblings) implements Encodable {
    /** Most leaves one tree may have; bounds decoding (at most 16 siblings) and one batch's fan-out. */
    public static final int LEAF_COUNT_MAX = 1 << 16;
    /** Every node hash is a SHA-256 digest. */
    public static final int HASH_BYTES = 32;

    public MerklePath {
        if (leafCount < 1 || leafCount > LEAF_COUNT_MAX) {
            throw new IllegalArgumentException("leafCount must be in [1, " + LEAF_COUNT_MAX + "], was " + leafCount);
        }
        if (leafIndex < 0 || leafIndex >= leafCount) {
            throw new IllegalArgumentException("leafIndex must be in [0, " + leafCount + "), was " + leafIndex);
        }
        siblings = List.copyOf(siblings); // also rejects null elements
        int expected = expectedSiblingCount(leafIndex, leafCount);
        if (siblings.size() != expected) {
            throw new IllegalArgumentException("leaf " + leafIndex + " of " + leafCount + " has " + expected
                    + " siblings, path has " + siblings.size());
        }
        for (Bytes s : siblings) {
            if (s.length() != HASH_BYTES) throw new IllegalArgumentException("sibling of " + s.length() + " bytes, need " + HASH_BYTES);
        }
    }

    /**
     * Siblings on the walk from leaf {@code leafIndex} to the top of a tree of {@code leafCount}
     * leaves: one per level where the walk's node is not the promoted last node of an odd level.
     */
    public static int expectedSiblingCount(int leafIndex, int leafCount) {
        if (leafCount < 1 || leafIndex < 0 || leafIndex >= leafCount) {
            throw new IllegalArgumentException("no leaf " + leafIndex + " in a tree of " + leafCount);
        }
        int count = 0;
        for (int index = leafIndex, width = leafCount; width > 1; index >>>= 1, width = (width + 1) >>> 1) {
            if ((index ^ 1) < width) count++; // a left node's right sibling may be missing; a right node's never is
        }
        return count;
    }

    @Override
    public void encodeTo(CanonicalWriter out) {
        out.i32(leafIndex).i32(leafCount).bytesList(siblings);
    }

    /** Reads a path from untrusted bytes that hold nothing else. */
    public static MerklePath decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        MerklePath p = decode(r);
        r.expectEnd();
        return p;
    }

    /** Reads a path nested in a larger encoding; every count is checked before anything is allocated. */
    public static MerklePath decode(CanonicalReader r) throws DecodeException {
        int leafIndex = r.i32();
        int leafCount = r.i32();
        if (leafCount < 1 || leafCount > LEAF_COUNT_MAX) {
            throw new DecodeException("leaf count " + leafCount + " outside [1, " + LEAF_COUNT_MAX + "]");
        }
        if (leafIndex < 0 || leafIndex >= leafCount) {
            throw new DecodeException("leaf index " + leafIndex + " outside [0, " + leafCount + ")");
        }
        int expected = expectedSiblingCount(leafIndex, leafCount);
        int declared = r.count(expected, "sibling");
        if (declared != expected) {
            throw new DecodeException("leaf " + leafIndex + " of " + leafCount + " needs " + expected + " siblings, got " + declared);
        }
        Bytes[] siblings = new Bytes[declared];
        for (int i = 0; i < declared; i++) {
            Bytes s = r.bytes(HASH_BYTES);
            if (s.length() != HASH_BYTES) throw new DecodeException("sibling " + i + " has " + s.length() + " bytes, need " + HASH_BYTES);
            siblings[i] = s;
        }
        return new MerklePath(leafIndex, leafCount, List.of(siblings));
    }

    @Override
    public String toString() {
        return "MerklePath(leaf " + leafIndex + " of " + leafCount + ", " + siblings.size() + " siblings)";
    }
}
