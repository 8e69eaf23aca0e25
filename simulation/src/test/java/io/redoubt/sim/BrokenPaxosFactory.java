package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.paxos.PaxosCore;
import io.redoubt.paxos.PaxosFactory;
import io.redoubt.paxos.PaxosMessage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately broken Multi-Paxos, for tests only: a new leader ignores the values reported in
 * the promises of phase 1 and fills every open slot with a no-op, instead of re-proposing the
 * value accepted in the highest view. A value that a majority accepted (so possibly decided and
 * executed somewhere) can then be replaced by another: exactly the bug the simulator's checkers
 * must catch.
 */
final class BrokenPaxosFactory extends PaxosFactory {
    private final AtomicLong ignoredReports = new AtomicLong();

    BrokenPaxosFactory(PaxosConfig config) {
        super(config);
    }

    @Override
    public String protocolName() {
        return "paxos-ignoring-promises";
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        return new PaxosCore<>(config(), members, self, out, persisted, this::ignorePromises);
    }

    private List<Bytes> ignorePromises(long slot, PaxosMessage.SlotReport highestAccepted) {
        if (highestAccepted != null && !highestAccepted.value().isEmpty()) ignoredReports.incrementAndGet();
        return List.of(); // the bug: what the promises reported is ignored
    }

    /** How many times a new leader overwrote a value some promise reported (in every run built from this factory). */
    long ignoredReports() {
        return ignoredReports.get();
    }
}
