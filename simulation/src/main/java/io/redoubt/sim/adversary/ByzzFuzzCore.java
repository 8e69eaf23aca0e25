package io.redoubt.sim.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftMessage;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.ForwardingOutbox;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.sim.net.RandomSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * A PBFT core that is correct except for a few small-scope mutations of what it sends, at
 * protocol rounds drawn from a seed (ByzzFuzz, Winter et al., 2023): a round is the highest
 * sequence number the core has pre-prepared, prepared or committed, and at each drawn round the
 * next PBFT message it sends has one field changed ({@link PbftMutation}) and is signed again
 * with the sender's own key, which a faulty server holds. At the wide-area tier the key is the
 * site's LM proof: every server of a compromised site runs this core with the same seed and
 * sends the same messages in the same order, so all make the same mutation and the site signs it.
 */
public final class ByzzFuzzCore implements CoreFactory {
    /** Rounds drawn for mutations: early enough that a run of about 200 updates reaches them. */
    public static final int ROUNDS = 40;
    static final int MUTATIONS_MAX = 5;

    /** Told of each round the core enters and each mutation it makes (the simulator's round partitions and fault log). */
    public interface Listener {
        void round(long round);

        void mutated(long round, String field);

        Listener NONE = new Listener() {
            @Override
            public void round(long round) {}

            @Override
            public void mutated(long round, String field) {}
        };
    }

    private final CoreFactory inner;
    private final NodeKeys.Provider keys;
    private final long seed;
    private final Listener listener;

    /**
     * @param inner the correct PBFT core
     * @param keys how that core signs ({@code assembly.localKeys()} or {@code wideKeys()})
     */
    public ByzzFuzzCore(CoreFactory inner, NodeKeys.Provider keys, long seed, Listener listener) {
        this.inner = inner;
        this.keys = keys;
        this.seed = seed;
        this.listener = listener;
    }

    /** The rounds at which {@code seed} mutates: one to {@link #MUTATIONS_MAX} distinct rounds in [1, {@link #ROUNDS}]. */
    static TreeSet<Long> rounds(RandomSource r) {
        TreeSet<Long> rounds = new TreeSet<>();
        int count = 1 + r.nextInt(MUTATIONS_MAX);
        while (rounds.size() < count) rounds.add(1L + r.nextInt(ROUNDS));
        return rounds;
    }

    @Override
    public String protocolName() {
        return inner.protocolName() + "-byzzfuzz";
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        RandomSource random = new RandomSource(seed);
        TreeSet<Long> due = rounds(random);
        NodeKeys<N> signer = keys.forNode(self);
        Outbox<N> mutating = new ForwardingOutbox<>(out) {
            long round = -1;
            /** Digests this core sent recently: plausible replacements for a digest field. */
            final ArrayDeque<Bytes> digests = new ArrayDeque<>();

            @Override
            public void send(N to, Encodable message) {
                if (!(message instanceof PbftMessage m)) {
                    inner.send(to, message);
                    return;
                }
                long r = roundOf(m);
                if (r > round) {
                    round = r;
                    listener.round(round);
                }
                remember(m);
                if (due.isEmpty() || due.first() > round) {
                    inner.send(to, message);
                    return;
                }
                due.pollFirst();
                PbftMutation.Mutated mutated = PbftMutation.mutate(m, random, new ArrayList<>(digests));
                if (mutated == null) {
                    inner.send(to, message);
                    return;
                }
                PbftMessage resigned = mutated.message().withSignature(signer.sign(mutated.message().signedBytes()));
                listener.mutated(round, mutated.field());
                inner.send(to, resigned);
            }

            private void remember(PbftMessage m) {
                Bytes d = m instanceof PbftMessage.PrePrepare p ? p.batchDigest()
                        : m instanceof PbftMessage.Prepare p ? p.batchDigest()
                        : m instanceof PbftMessage.Commit c ? c.batchDigest()
                        : m instanceof PbftMessage.Checkpoint c ? c.stateDigest() : null;
                if (d == null || digests.contains(d)) return;
                digests.addLast(d);
                if (digests.size() > 8) digests.pollFirst();
            }
        };
        return inner.create(members, self, mutating, persisted);
    }

    /** The protocol round a message belongs to: its sequence number, for the messages of the normal case. */
    static long roundOf(PbftMessage m) {
        if (m instanceof PbftMessage.PrePrepare p) return p.sequence();
        if (m instanceof PbftMessage.Prepare p) return p.sequence();
        if (m instanceof PbftMessage.Commit c) return c.sequence();
        return -1;
    }
}
