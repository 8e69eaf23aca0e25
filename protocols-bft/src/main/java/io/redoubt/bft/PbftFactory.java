package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import java.util.List;

/** Builds PBFT cores with one configuration and one key provider: one factory per tier of a composition. */
public class PbftFactory implements CoreFactory {
    private final PbftConfig config;
    private final NodeKeys.Provider keys;

    public PbftFactory(PbftConfig config, NodeKeys.Provider keys) {
        this.config = config;
        this.keys = keys;
    }

    public PbftConfig config() {
        return config;
    }

    @Override
    public String protocolName() {
        return "pbft";
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        return new PbftCore<>(config, members, self, out, keys.forNode(self), persisted);
    }
}
