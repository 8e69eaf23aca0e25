package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import java.util.List;

/**
 * A Byzantine primary (test code only): for every slot it sends its real pre-prepare to the lower
 * half of the backups and a different, equally well-signed one to the others, so that neither
 * batch gathers a quorum of prepares (Castro and Liskov,
 * OSDI '99, section 4.2: the protocol must keep replicas from committing different requests at one
 * sequence number even when the primary lies).
 */
class EquivocatingPbft extends PbftCore<Integer> {
    EquivocatingPbft(PbftConfig config, List<Integer> members, Integer self, Outbox<Integer> out, NodeKeys<Integer> keys,
            List<Bytes> persisted) {
        super(config, members, self, out, keys, persisted);
    }

    @Override
    protected void broadcastPrePrepare(PrePrepare pp) {
        PrePrepare other = signPrePrepare(pp.view(), pp.sequence(), List.of(Bytes.ofUtf8("evil-" + pp.sequence() + "-" + pp.view())));
        int n = memberCount();
        for (int i = 0; i < n; i++) {
            if (i == selfIndex()) continue;
            outbox().send(member(i), i < (n + 1) / 2 ? pp : other);
        }
    }
}
