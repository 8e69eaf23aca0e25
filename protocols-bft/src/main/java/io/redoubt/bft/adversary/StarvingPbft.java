package io.redoubt.bft.adversary;

import io.redoubt.bft.NodeKeys;
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
public final class StarvingPbft<N extends Comparable<N>> extends PbftCore<N> {
    private static final int REMEMBERED_MAX = 100_000;
    private final int starveSource;
    private final Set<Bytes> starved = new HashSet<>();

    /** Starves the member after itself in {@code members}. */
    public StarvingPbft(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys, List<Bytes> persisted) {
        this((members.indexOf(self) + 1) % members.size(), config, members, self, out, keys, persisted);
    }

    /** Starves member {@code starveSource} (an index into {@code members}). */
    public StarvingPbft(int starveSource, PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys, List<Bytes> persisted) {
        super(config, members, self, out, keys, persisted);
        if (starveSource < 0 || starveSource >= members.size()) throw new IllegalArgumentException("no member " + starveSource);
        this.starveSource = starveSource;
    }

    @Override
    public void onMessage(N from, PbftMessage message) {
        if (memberIndex(from) == starveSource && message instanceof PbftMessage.Forward f && starved.size() < REMEMBERED_MAX) {
            starved.addAll(f.payloads());
        }
        super.onMessage(from, message);
    }

    private int memberIndex(N node) {
        for (int i = 0; i < memberCount(); i++) if (member(i).equals(node)) return i;
        return -1;
    }

    @Override
    protected boolean mayPropose(int source, Bytes payload) {
        return source != starveSource && !starved.contains(payload);
    }
}
