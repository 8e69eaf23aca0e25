package io.redoubt.sim.adversary;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.ForwardingOutbox;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.paxos.PaxosFactory;
import io.redoubt.paxos.PaxosMessage;
import java.util.List;

/**
 * A Multi-Paxos leader that proposes one value to the lower half of the other members and a
 * different one to the rest: a correct core whose outbox rewrites every proposal bound for the
 * upper half. Paxos assumes no such leader (its acceptors do not compare notes on values), so
 * this adversary may only ever speak through a channel that must refuse it: a single faulty
 * server of a Byzantine site, whose copy of its site's logical machine runs this core and who
 * tries to sign the result for the site alone. With f+1 signers required its messages never
 * verify; with fewer, the wide area splits, which the checkers must catch.
 */
public final class EquivocatingPaxos extends PaxosFactory {
    public EquivocatingPaxos(PaxosConfig config) {
        super(config);
    }

    @Override
    public String protocolName() {
        return "paxos-equivocating";
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        int upperHalfFrom = (members.size() + 1) / 2;
        Outbox<N> lying = new ForwardingOutbox<>(out) {
            @Override
            public void send(N to, Encodable message) {
                if (message instanceof PaxosMessage.Propose p && members.indexOf(to) >= upperHalfFrom) {
                    message = new PaxosMessage.Propose(p.view(), p.slot(),
                            List.of(Bytes.ofUtf8("forged-" + p.slot() + "-" + p.view())), p.decidedThrough());
                }
                inner.send(to, message);
            }
        };
        return super.create(members, self, lying, persisted);
    }
}
