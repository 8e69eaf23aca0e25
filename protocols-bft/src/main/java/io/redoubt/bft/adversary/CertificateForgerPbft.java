package io.redoubt.bft.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftBehavior;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.bft.PbftMessage;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.SlotProof;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Quorums;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A Byzantine PBFT member aimed at the checks inside certificates: for every slot it sees being
 * agreed on, it sends one other member an unasked state-transfer reply proving a made-up batch
 * for that slot with a commit certificate of its own. The reply itself is well signed by the
 * forger; the certificate inside it alternates between quorum commits under other members' names
 * with signatures it cannot make, and its own valid commit repeated a quorum of times. Only the
 * receiver's checks of each entry (its signature, one entry per member; OSDI '99, section 4.3)
 * keep the made-up batch out of its log.
 */
public final class CertificateForgerPbft<N> implements PbftBehavior<N> {
    private static final int REMEMBERED_MAX = 10_000;
    // Only looked up, never iterated: hash order cannot reach an output.
    private final Set<Long> forged = new HashSet<>();

    /** A PBFT core that forges commit certificates and otherwise follows the protocol. */
    public static <N extends Comparable<N>> PbftCore<N> create(PbftConfig config, List<N> members, N self, Outbox<N> out, NodeKeys<N> keys,
            List<Bytes> persisted) {
        return new PbftCore<>(config, members, self, out, keys, persisted, new CertificateForgerPbft<>());
    }

    @Override
    public void observe(N from, PbftMessage message, Member<N> self) {
        long seq, view;
        if (message instanceof PbftMessage.PrePrepare p) {
            seq = p.sequence();
            view = p.view();
        } else if (message instanceof PbftMessage.Prepare p) {
            seq = p.sequence();
            view = p.view();
        } else {
            return;
        }
        if (forged.size() >= REMEMBERED_MAX) forged.clear();
        if (!forged.add(seq)) return;
        int n = self.memberCount();
        int victim = (int) Math.floorMod(seq, (long) n);
        if (victim == self.selfIndex()) victim = (victim + 1) % n;
        List<Bytes> batch = List.of(Bytes.ofUtf8("forged-" + view + "-" + seq));
        Bytes digest = PbftMessage.batchDigest(batch);
        Commit own = self.signCommit(view, seq, digest);
        int quorum = Quorums.byzantineQuorum(n);
        List<Commit> commits = new ArrayList<>();
        boolean underOthersNames = seq % 2 == 0;
        for (int i = 0; commits.size() < quorum; i++) {
            if (!underOthersNames) {
                commits.add(own); // one member, a quorum of times
            } else if (i == self.selfIndex()) {
                commits.add(own);
            } else {
                // A signature the forger cannot make: the right length, the wrong bytes.
                Bytes fake = own.signature().isEmpty() ? Bytes.ofUtf8("forged") : Bytes.wrap(new byte[own.signature().length()]);
                commits.add(new Commit(view, seq, digest, i, fake));
            }
        }
        FetchReply reply = self.sign(new FetchReply(seq, List.of(new SlotProof(seq, List.of(batch), List.of(), commits)), self.selfIndex(),
                Bytes.EMPTY));
        self.outbox().send(self.member(victim), reply);
    }
}
