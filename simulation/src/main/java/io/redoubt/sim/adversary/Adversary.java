package io.redoubt.sim.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftConfig;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.crypto.KeyDirectory;
import java.util.List;

/**
 * What a faulty server (or every server of a compromised site) does in a {@code --faults
 * byzantine} run. Each replaces a correct server: its core, its signer, or what it puts on its
 * links; none can forge what its keys cannot sign.
 */
public enum Adversary {
    /** Receives everything and sends nothing. */
    SILENT("silent server", false),
    /** Half of what it sends has a few bytes flipped, and now and then it sends noise to anyone. */
    GARBAGE("sends garbage", false),
    /** Sends what it should, and also replays old frames it received (stale views, old slots, others' signed messages). */
    REPLAY("replays old messages", false),
    /** Spoils its share of the site's LM signature, and its proof when asked (Figure 3.10). */
    BAD_SHARES("bad threshold shares", false),
    /** As the site's view-0 PBFT primary, sends different pre-prepares for one slot to different backups. */
    EQUIVOCATING_LEADER("equivocating local leader", true),
    /** As the site's view-0 PBFT primary, never orders what one server submits (section 4.4.1). */
    STARVING_LEADER("leader starving one input queue", true),
    /** A compromised site that says nothing. */
    SILENT_SITE("a silent logical machine", false),
    /** A compromised site whose wide-area core equivocates as primary, under its own LM signature. */
    EQUIVOCATING_SITE("an equivocating logical machine", false),
    /** A compromised site whose servers send garbage. */
    GARBAGE_SITE("a logical machine sending garbage", false);

    public final String description;
    public final boolean leader;

    Adversary(String description, boolean leader) {
        this.description = description;
        this.leader = leader;
    }

    public static CoreFactory equivocating(PbftConfig config, KeyDirectory keys) {
        NodeKeys.Provider provider = NodeKeys.fromDirectory(keys);
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft-equivocating";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                return new EquivocatingPbft<>(config, members, self, out, provider.forNode(self), persisted);
            }
        };
    }

    public static CoreFactory starving(PbftConfig config, KeyDirectory keys) {
        NodeKeys.Provider provider = NodeKeys.fromDirectory(keys);
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft-starving";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                return new StarvingPbft<>(config, members, self, out, provider.forNode(self), persisted);
            }
        };
    }
}
