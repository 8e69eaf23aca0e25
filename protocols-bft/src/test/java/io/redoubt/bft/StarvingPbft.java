package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A primary that never proposes the payloads of one source (test code only): the {@code starveSource}
 * hook of Lane 2008, section 4.4.1 ("Fairness"). It orders everything else promptly, so only
 * per-payload timers, not progress in general, can expose it. It remembers what the starved source
 * sent, so a copy relayed by another member is starved too.
 */
class StarvingPbft extends PbftCore<Integer> {
    private final int starveSource;
    private final Set<Bytes> starved = new LinkedHashSet<>();

    StarvingPbft(int starveSource, PbftConfig config, List<Integer> members, Integer self, Outbox<Integer> out,
            NodeKeys<Integer> keys, List<Bytes> persisted) {
        super(config, members, self, out, keys, persisted);
        this.starveSource = starveSource;
    }

    @Override
    public void onMessage(Integer from, PbftMessage message) {
        if (from == starveSource && message instanceof PbftMessage.Forward f) starved.addAll(f.payloads());
        super.onMessage(from, message);
    }

    @Override
    protected boolean mayPropose(int source, Bytes payload) {
        return source != starveSource && !starved.contains(payload);
    }
}
