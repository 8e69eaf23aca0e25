package io.redoubt.bft.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftBehavior;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.bft.PbftMessage;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Byzantine PBFT primary aimed at the check behind the first line: it proposes every slot
 * correctly, and once a backup shows it has prepared the slot (its commit arrives), it sends that
 * backup a second, different pre-prepare for the same view and sequence number, well signed, with
 * its own commit for it. The backup's signature and primary checks pass; only its rule "one
 * pre-prepare per view and sequence number" (Castro and Liskov, OSDI '99, section 4.2) stands
 * between it and voting for two batches in one slot.
 */
public final class DoublePrePreparePbft<N> implements PbftBehavior<N> {
    private static final int REMEMBERED_MAX = 10_000;
    // Only looked up, never iterated: hash order cannot reach an output.
    private final Set<String> sent = new HashSet<>();

    /** A PBFT core that sends second pre-prepares as primary and otherwise follows the protocol. */
    public static <N extends Comparable<N>> PbftCore<N> create(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys,
            List<Bytes> persisted) {
        return new PbftCore<>(config, members, self, out, keys, persisted, new DoublePrePreparePbft<>());
    }

    @Override
    public void observe(N from, PbftMessage message, Member<N> self) {
        if (!(message instanceof Commit c) || c.view() % self.memberCount() != self.selfIndex()) return;
        // One second pre-prepare per slot, to the first backup seen prepared.
        if (sent.size() >= REMEMBERED_MAX) sent.clear();
        if (!sent.add(c.view() + "/" + c.sequence())) return;
        PrePrepare second = self.signPrePrepare(c.view(), c.sequence(), List.of(Bytes.ofUtf8("second-" + c.view() + "-" + c.sequence())));
        self.outbox().send(from, second);
        self.outbox().send(from, self.signCommit(second.view(), second.sequence(), second.batchDigest()));
    }
}
