package io.redoubt.lm.crypto.merkle;

import static io.redoubt.lm.crypto.merkle.MerkleTestData.ceilLog2;
import static io.redoubt.lm.crypto.merkle.MerkleTestData.flipBit;
import static io.redoubt.lm.crypto.merkle.MerkleTestData.messages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Merkle tree of Lane 2008, section 4.6, against hand-computed oracles and tampering. */
class MerkleTreeTest {

    // ------------------------------------------------------------ oracle: hashes spelled out byte by byte

    private static Bytes sha(int tag, Bytes... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        for (Bytes p : parts) b.writeBytes(p.unsafeArray());
        return Digests.sha256(b.toByteArray());
    }

    private static Bytes leaf(Bytes m) {
        return sha(0x00, m);
    }

    private static Bytes node(Bytes l, Bytes r) {
        return sha(0x01, l, r);
    }

    private static Bytes root(int leafCount, Bytes top) {
        return sha(0x02, Bytes.wrap(new byte[] {(byte) (leafCount >>> 24), (byte) (leafCount >>> 16), (byte) (leafCount >>> 8), (byte) leafCount}), top);
    }

    private static Bytes utf8(String s) {
        return Bytes.ofUtf8(s);
    }

    // ------------------------------------------------------------ construction

    @Test
    void theInternalNodesHashTheConcatenationOfTheirChildrenAndTheSignatureIsOverTheRoot_section4_6() {
        Bytes a = utf8("a"), b = utf8("b"), c = utf8("c"), d = utf8("d"), e = utf8("e");
        assertEquals(root(1, leaf(a)), MerkleTree.of(List.of(a)).root());
        assertEquals(root(2, node(leaf(a), leaf(b))), MerkleTree.of(List.of(a, b)).root());
        // odd levels promote their last node unchanged
        assertEquals(root(3, node(node(leaf(a), leaf(b)), leaf(c))), MerkleTree.of(List.of(a, b, c)).root());
        assertEquals(root(4, node(node(leaf(a), leaf(b)), node(leaf(c), leaf(d)))), MerkleTree.of(List.of(a, b, c, d)).root());
        assertEquals(root(5, node(node(node(leaf(a), leaf(b)), node(leaf(c), leaf(d))), leaf(e))),
                MerkleTree.of(List.of(a, b, c, d, e)).root());
    }

    @Test
    void oddNodesArePromotedSoARepeatedLastMessageChangesTheRoot() {
        Bytes a = utf8("a"), b = utf8("b"), c = utf8("c");
        // With duplication [a, b, c] and [a, b, c, c] would share a root; with promotion they do not.
        assertNotEquals(MerkleTree.of(List.of(a, b, c)).root(), MerkleTree.of(List.of(a, b, c, c)).root());
        assertNotEquals(MerkleTree.of(List.of(a, b)).root(), MerkleTree.of(List.of(a, b, b)).root());
    }

    @Test
    void theRootIsAFunctionOfTheMessagesAndTheirOrder() {
        List<Bytes> ms = messages(new SplittableRandom(1), 9);
        assertEquals(MerkleTree.of(ms).root(), MerkleTree.of(new ArrayList<>(ms)).root());
        List<Bytes> swapped = new ArrayList<>(ms);
        Collections.swap(swapped, 2, 7);
        assertNotEquals(MerkleTree.of(ms).root(), MerkleTree.of(swapped).root());
        assertNotEquals(MerkleTree.of(ms).root(), MerkleTree.of(ms.subList(0, 8)).root());
    }

    @Test
    void anEmptyOrOversizedBatchIsTheCallersBug() {
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.of(List.of()));
        List<Bytes> tooMany = Collections.nCopies(MerklePath.LEAF_COUNT_MAX + 1, Bytes.EMPTY);
        assertThrows(IllegalArgumentException.class, () -> MerkleTree.of(tooMany));
        MerkleTree t = MerkleTree.of(List.of(utf8("x"), utf8("y")));
        assertThrows(IndexOutOfBoundsException.class, () -> t.path(2));
        assertThrows(IndexOutOfBoundsException.class, () -> t.path(-1));
    }

    // ------------------------------------------------------------ paths

    @Test
    void everyMessageOfTreesOf1To70LeavesLeadsToTheRootThroughItsPath_section4_6() {
        SplittableRandom rnd = new SplittableRandom(2);
        for (int n = 1; n <= 70; n++) checkAllPaths(messages(rnd, n));
    }

    @Test
    void everyMessageOfSomeLargerRandomTreesLeadsToTheRoot_section4_6() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int k = 0; k < 6; k++) checkAllPaths(messages(rnd, rnd.nextInt(71, 3000)));
        checkAllPaths(messages(rnd, 4096));
    }

    @Test
    void aTreeAtTheLeafCountBoundHasPathsOfSixteenHashes() {
        List<Bytes> ms = new ArrayList<>(MerklePath.LEAF_COUNT_MAX);
        for (int i = 0; i < MerklePath.LEAF_COUNT_MAX; i++) ms.add(Bytes.wrap(new byte[] {(byte) (i >>> 8), (byte) i}));
        MerkleTree t = MerkleTree.of(ms);
        SplittableRandom rnd = new SplittableRandom(4);
        for (int k = 0; k < 200; k++) {
            int i = k < 2 ? k * (ms.size() - 1) : rnd.nextInt(ms.size());
            MerklePath p = t.path(i);
            assertEquals(16, p.siblings().size());
            assertEquals(t.root(), MerkleTree.rootFromPath(ms.get(i), p));
        }
    }

    private static void checkAllPaths(List<Bytes> ms) {
        int n = ms.size();
        MerkleTree t = MerkleTree.of(ms);
        assertEquals(n, t.leafCount());
        for (int i = 0; i < n; i++) {
            MerklePath p = t.path(i);
            assertEquals(i, p.leafIndex());
            assertEquals(n, p.leafCount());
            assertEquals(t.root(), MerkleTree.rootFromPath(ms.get(i), p), "leaf " + i + " of " + n);
            assertEquals(MerklePath.expectedSiblingCount(i, n), p.siblings().size());
        }
    }

    @Test
    void theNumberOfIncludedHashesIsLogN_section4_6() {
        for (int n = 1; n <= 70; n++) {
            int log = ceilLog2(n);
            int[] oracle = siblingCountsByPairing(n);
            // the leftmost leaf has a sibling at every level: exactly ceil(log2 N)
            assertEquals(log, MerklePath.expectedSiblingCount(0, n), "leaf 0 of " + n);
            for (int i = 0; i < n; i++) {
                int count = MerklePath.expectedSiblingCount(i, n);
                assertEquals(oracle[i], count, "leaf " + i + " of " + n);
                assertTrue(count <= log, "promotion only ever saves a hash: leaf " + i + " of " + n);
                if (Integer.bitCount(n) == 1) assertEquals(log, count, "power of two " + n);
            }
        }
        // the rightmost leaf of 5 is promoted twice: one sibling instead of three
        assertEquals(1, MerklePath.expectedSiblingCount(4, 5));
        assertEquals(16, MerklePath.expectedSiblingCount(0, MerklePath.LEAF_COUNT_MAX));
    }

    /** Oracle: pair up groups of leaves level by level; every leaf of a paired group gains one sibling. */
    private static int[] siblingCountsByPairing(int n) {
        int[] counts = new int[n];
        List<List<Integer>> level = new ArrayList<>();
        for (int i = 0; i < n; i++) level.add(List.of(i));
        while (level.size() > 1) {
            List<List<Integer>> up = new ArrayList<>();
            for (int k = 0; k < level.size(); k += 2) {
                if (k + 1 == level.size()) {
                    up.add(level.get(k));
                    continue;
                }
                List<Integer> merged = new ArrayList<>(level.get(k));
                merged.addAll(level.get(k + 1));
                for (int leafIndex : merged) counts[leafIndex]++;
                up.add(merged);
            }
            level = up;
        }
        return counts;
    }

    // ------------------------------------------------------------ tampering

    @Test
    void aModifiedMessageDoesNotLeadToTheRoot() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int n : new int[] {1, 2, 3, 7, 16, 33}) {
            List<Bytes> ms = messages(rnd, n);
            MerkleTree t = MerkleTree.of(ms);
            for (int i = 0; i < n; i++) {
                Bytes m = ms.get(i);
                MerklePath p = t.path(i);
                assertNotEquals(t.root(), MerkleTree.rootFromPath(flipBit(m, rnd.nextInt(m.length() * 8)), p));
                assertNotEquals(t.root(), MerkleTree.rootFromPath(Bytes.wrap(java.util.Arrays.copyOf(m.unsafeArray(), m.length() + 1)), p));
                assertNotEquals(t.root(), MerkleTree.rootFromPath(Bytes.EMPTY, p));
            }
        }
    }

    @Test
    void aModifiedSiblingDoesNotLeadToTheRoot() {
        SplittableRandom rnd = new SplittableRandom(6);
        for (int n : new int[] {2, 3, 5, 8, 13, 70}) {
            List<Bytes> ms = messages(rnd, n);
            MerkleTree t = MerkleTree.of(ms);
            for (int i = 0; i < n; i++) {
                MerklePath p = t.path(i);
                for (int s = 0; s < p.siblings().size(); s++) {
                    List<Bytes> siblings = new ArrayList<>(p.siblings());
                    siblings.set(s, flipBit(siblings.get(s), rnd.nextInt(256)));
                    assertNotEquals(t.root(), MerkleTree.rootFromPath(ms.get(i), new MerklePath(i, n, siblings)));
                }
                if (p.siblings().size() >= 2) {
                    List<Bytes> reversed = new ArrayList<>(p.siblings());
                    Collections.reverse(reversed);
                    if (!reversed.equals(p.siblings())) assertNotEquals(t.root(), MerkleTree.rootFromPath(ms.get(i), new MerklePath(i, n, reversed)));
                }
            }
        }
    }

    /**
     * A wrong position never verifies, whether only the index or also the leaf count is
     * changed: the root commits to the count, and within one count every index takes its own
     * walk. Every (index, count) with the same number of siblings is tried.
     */
    @Test
    void aWrongLeafIndexOrLeafCountDoesNotLeadToTheRoot() {
        SplittableRandom rnd = new SplittableRandom(7);
        int maxLeaves = 24;
        for (int n = 1; n <= maxLeaves; n++) {
            List<Bytes> ms = messages(rnd, n);
            MerkleTree t = MerkleTree.of(ms);
            for (int i = 0; i < n; i++) {
                MerklePath p = t.path(i);
                for (int n2 = 1; n2 <= maxLeaves; n2++) {
                    for (int j = 0; j < n2; j++) {
                        if ((j == i && n2 == n) || MerklePath.expectedSiblingCount(j, n2) != p.siblings().size()) continue;
                        assertNotEquals(t.root(), MerkleTree.rootFromPath(ms.get(i), new MerklePath(j, n2, p.siblings())),
                                "leaf " + i + " of " + n + " claimed as " + j + " of " + n2);
                    }
                }
            }
        }
    }

    @Test
    void aPathFromAnotherTreeDoesNotLeadToTheRoot() {
        SplittableRandom rnd = new SplittableRandom(8);
        // (a one-leaf tree's path carries no hash at all, so there is nothing to take from another tree)
        for (int n : new int[] {2, 3, 5, 16, 31}) {
            List<Bytes> a = messages(rnd, n);
            List<Bytes> b = messages(rnd, n);
            MerkleTree ta = MerkleTree.of(a);
            MerkleTree tb = MerkleTree.of(b);
            for (int i = 0; i < n; i++) {
                assertNotEquals(ta.root(), MerkleTree.rootFromPath(a.get(i), tb.path(i)));
                assertNotEquals(ta.root(), MerkleTree.rootFromPath(b.get(i), tb.path(i)));
            }
        }
    }

    /**
     * Without domain separation the two child hashes of an inner node, concatenated, would be a
     * "message" whose leaf hash is that inner node, proving a message that was never sent.
     */
    @Test
    void anInnerNodeCannotBePassedOffAsALeaf() {
        Bytes a = utf8("a"), b = utf8("b"), c = utf8("c"), d = utf8("d");
        MerkleTree t = MerkleTree.of(List.of(a, b, c, d));
        Bytes children = Bytes.wrap(concat(leaf(a), leaf(b)));
        Bytes taggedChildren = Bytes.wrap(concat(Bytes.wrap(new byte[] {0x01}), leaf(a), leaf(b)));
        List<Bytes> upperSibling = List.of(node(leaf(c), leaf(d)));
        // the forged "message" claims the left half of a two-leaf view of the tree
        assertNotEquals(t.root(), MerkleTree.rootFromPath(children, new MerklePath(0, 2, upperSibling)));
        assertNotEquals(t.root(), MerkleTree.rootFromPath(taggedChildren, new MerklePath(0, 2, upperSibling)));
        // nor as a leaf of a four-leaf tree in any position with the real siblings
        for (int i = 0; i < 4; i++) assertNotEquals(t.root(), MerkleTree.rootFromPath(children, t.path(i)));
        // and a tree over the children pairs does not share the root (the classic second preimage)
        Bytes cd = Bytes.wrap(concat(leaf(c), leaf(d)));
        assertNotEquals(t.root(), MerkleTree.of(List.of(children, cd)).root());
        assertNotEquals(t.root(), MerkleTree.of(List.of(taggedChildren, Bytes.wrap(concat(Bytes.wrap(new byte[] {0x01}), leaf(c), leaf(d))))).root());
    }

    private static byte[] concat(Bytes... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Bytes p : parts) out.writeBytes(p.unsafeArray());
        return out.toByteArray();
    }

    @Test
    void aPathThatDoesNotFitItsPositionCannotBeBuilt() {
        Bytes h = Bytes.wrap(new byte[32]);
        assertThrows(IllegalArgumentException.class, () -> new MerklePath(0, 0, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new MerklePath(2, 2, List.of(h)));
        assertThrows(IllegalArgumentException.class, () -> new MerklePath(-1, 2, List.of(h)));
        assertThrows(IllegalArgumentException.class, () -> new MerklePath(0, 2, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new MerklePath(0, 2, List.of(h, h)));
        assertThrows(IllegalArgumentException.class, () -> new MerklePath(0, 2, List.of(Bytes.wrap(new byte[31]))));
        assertThrows(IllegalArgumentException.class, () -> new MerklePath(0, MerklePath.LEAF_COUNT_MAX + 1, Collections.nCopies(17, h)));
        assertThrows(IllegalArgumentException.class, () -> MerklePath.expectedSiblingCount(3, 3));
    }
}
