package io.redoubt.paxos;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import java.util.List;

/** Builds Paxos cores with one configuration: one factory per tier of a composition. */
public class PaxosFactory implements CoreFactory {
    private final PaxosConfig config;

    public PaxosFactory(PaxosConfig config) {
        this.config = config;
    }

    public PaxosConfig config() {
        return config;
    }

    @Override
    public String protocolName() {
        return "paxos";
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        return new PaxosCore<>(config, members, self, out, persisted);
    }
}
