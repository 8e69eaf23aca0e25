package io.redoubt.bft.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftBehavior;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.bft.PbftMessage;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A PBFT primary that never proposes what one member submits, and orders everything else
 * promptly (Lane 2008, section 4.4.1, "Fairness"): only the per-source request timers of the
 * other members can expose it. It remembers what the starved member sent, so a copy relayed by
 * another member is starved too (bounded: it forgets after {@link #REMEMBERED_MAX}).
 */
public final class StarvingPbft<N> implements PbftBehavior<N> {
    private static final int REMEMBERED_MAX = 100_000;
    private final int starveSource;
    // Only looked up, never iterated: hash order cannot reach an output.
    private final Set<Bytes> starved = new HashSet<>();

    /** A PBFT core that starves the member after itself in {@code members}. */
    public static <N extends Comparable<N>> PbftCore<N> create(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys,
            List<Bytes> persisted) {
        return create((members.indexOf(self) + 1) % members.size(), config, members, self, out, keys, persisted);
    }

    /** A PBFT core that starves member {@code starveSource} (an index into {@code members}). */
    public static <N extends Comparable<N>> PbftCore<N> create(int starveSource, PbftConfig config, List<N> members, N self, Outbox<N> out,
            NodeKeys<N> keys, List<Bytes> persisted) {
        if (starveSource < 0 || starveSource >= members.size()) throw new IllegalArgumentException("no member " + starveSource);
        return new PbftCore<>(config, members, self, out, keys, persisted, new StarvingPbft<>(starveSource));
    }

    private StarvingPbft(int starveSource) {
        this.starveSource = starveSource;
    }

    @Override
    public void observe(N from, PbftMessage message, Member<N> self) {
        if (memberIndex(from, self) == starveSource && message instanceof PbftMessage.Forward f && starved.size() < REMEMBERED_MAX) {
            starved.addAll(f.payloads());
        }
    }

    private static <N> int memberIndex(N node, Member<N> self) {
        for (int i = 0; i < self.memberCount(); i++) if (self.member(i).equals(node)) return i;
        return -1;
    }

    @Override
    public boolean mayPropose(int source, Bytes payload) {
        return source != starveSource && !starved.contains(payload);
    }
}
