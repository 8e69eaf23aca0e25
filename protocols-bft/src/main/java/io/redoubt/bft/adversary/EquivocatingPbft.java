package io.redoubt.bft.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftBehavior;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import java.util.List;

/**
 * A Byzantine PBFT primary, at either tier: for every slot it sends its real pre-prepare to the
 * lower half of the backups and a different, equally well-signed one to the others, and at once
 * commits to each version towards the half that got it. With quorums of 2f+1 neither half can
 * gather a quorum for its version without the other's members (Castro and Liskov, OSDI '99,
 * section 4.2), so the slot stalls until a view change; with anything weaker the halves decide
 * differently, which is how the checkers are shown able to fail. At the wide-area tier,
 * run by every server of a compromised site, it makes that site a Byzantine logical machine
 * whose equivocations carry the site's own LM signature.
 */
public final class EquivocatingPbft<N> implements PbftBehavior<N> {

    /** A PBFT core that equivocates as primary and otherwise follows the protocol. */
    public static <N extends Comparable<N>> PbftCore<N> create(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys,
            List<Bytes> persisted) {
        return new PbftCore<>(config, members, self, out, keys, persisted, new EquivocatingPbft<>());
    }

    @Override
    public void sendPrePrepare(PrePrepare pp, Member<N> self) {
        PrePrepare other = self.signPrePrepare(pp.view(), pp.sequence(), List.of(Bytes.ofUtf8("evil-" + pp.sequence() + "-" + pp.view())));
        int n = self.memberCount();
        for (int i = 0; i < n; i++) {
            if (i == self.selfIndex()) continue;
            PrePrepare version = i < (n + 1) / 2 ? pp : other;
            self.outbox().send(self.member(i), version);
            self.outbox().send(self.member(i), self.signCommit(version.view(), version.sequence(), version.batchDigest()));
        }
    }
}
