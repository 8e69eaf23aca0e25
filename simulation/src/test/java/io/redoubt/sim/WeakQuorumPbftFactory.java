package io.redoubt.sim;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftBehavior;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Quorums;
import io.redoubt.lm.crypto.KeyDirectory;
import java.util.List;

/**
 * Test code only: PBFT with a quorum of 2f instead of 2f+1, so two quorums need not share a
 * correct member. The checkers must catch it (acceptance of the Byzantine issue).
 */
final class WeakQuorumPbftFactory implements CoreFactory {
    private final PbftConfig config;
    private final NodeKeys.Provider keys;

    WeakQuorumPbftFactory(PbftConfig config, KeyDirectory keys) {
        this.config = config;
        this.keys = NodeKeys.fromDirectory(keys);
    }

    @Override
    public String protocolName() {
        return "pbft-quorum-2f";
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        return new PbftCore<>(config, members, self, out, keys.forNode(self), persisted, new PbftBehavior<>() {
            @Override
            public int quorum(int n) {
                return 2 * Quorums.byzantineFaultsTolerated(n);
            }
        });
    }
}
