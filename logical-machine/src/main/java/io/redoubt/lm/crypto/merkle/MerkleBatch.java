package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import java.util.ArrayList;
import java.util.List;

/**
 * The producing side in one call: the wide-area messages produced by executing one locally
 * ordered batch form one tree, whose root the logical machine signs once (Lane 2008, section
 * 4.6); each message then leaves with its own path and that one signature.
 *
 * <p>Every correct server of the site executes the same ordered batch and so builds the same
 * list in the same order, the same tree and the same root; that is what lets their signatures
 * (or shares) agree (section 4.3). Pass each distinct message once: a repeated message is
 * harmless but wastes a leaf.
 */
public final class MerkleBatch {
    private final List<Bytes> messages;
    private final MerkleTree tree;
    private final List<MerklePath> paths;

    private MerkleBatch(List<Bytes> messages, MerkleTree tree, List<MerklePath> paths) {
        this.messages = messages;
        this.tree = tree;
        this.paths = paths;
    }

    /** Builds the tree over {@code messages} (1 to {@link MerklePath#LEAF_COUNT_MAX}) and every path. */
    public static MerkleBatch of(List<Bytes> messages) {
        List<Bytes> copy = List.copyOf(messages);
        MerkleTree tree = MerkleTree.of(copy);
        List<MerklePath> paths = new ArrayList<>(copy.size());
        for (int i = 0; i < copy.size(); i++) paths.add(tree.path(i));
        return new MerkleBatch(copy, tree, List.copyOf(paths));
    }

    public int size() {
        return messages.size();
    }

    public List<Bytes> messages() {
        return messages;
    }

    /** The one value to sign for the whole batch. */
    public Bytes root() {
        return tree.root();
    }

    /** The bytes that {@code site} signs (or its servers sign shares of) for this batch. */
    public Bytes rootContent(SiteId site) {
        return LmSignatureScheme.rootContent(site, tree.root());
    }

    /** Path of message {@code i}, in the order the messages were given. */
    public MerklePath path(int i) {
        return paths.get(i);
    }

    public List<MerklePath> paths() {
        return paths;
    }

    /**
     * One self-contained envelope per message, in order, all carrying {@code signature}, which
     * the caller obtained over {@link #root()} ({@link LmBatchSigner} or {@link CertificateCollector}).
     */
    public List<LmEnvelopePart> envelopes(LmSignature signature) {
        List<LmEnvelopePart> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) out.add(new LmEnvelopePart(messages.get(i), paths.get(i), signature));
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "MerkleBatch(" + messages.size() + " messages, root " + tree.root() + ")";
    }
}
