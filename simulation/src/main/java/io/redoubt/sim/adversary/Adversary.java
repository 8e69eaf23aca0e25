package io.redoubt.sim.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.ServerAssembly;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.adversary.CertificateForgerPbft;
import io.redoubt.bft.adversary.DoublePrePreparePbft;
import io.redoubt.bft.adversary.EquivocatingPbft;
import io.redoubt.bft.adversary.StarvingPbft;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.sign.SiteSigning;
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
    /**
     * Its own copy of the site's logical machine runs an equivocating wide-area core, and as the
     * site's first forwarder (the view-0 primary's place) it tries to sign and send those
     * messages for the site alone: one server must not be able to speak for its site (section 4.2).
     */
    ROGUE_LM("server speaking for its site alone, equivocating", true),
    /** A compromised site that says nothing. */
    SILENT_SITE("a silent logical machine", false),
    /** A compromised site whose wide-area core equivocates as primary, under its own LM signature. */
    EQUIVOCATING_SITE("an equivocating logical machine", false),
    /** A compromised site whose servers send garbage. */
    GARBAGE_SITE("a logical machine sending garbage", false),
    /** A compromised site whose logical machine signs mutated messages: well-signed nonsense. */
    MUTATING_SITE("a logical machine signing mutated messages", false),
    /**
     * Twins (Bano et al., 2022): two copies of this server with its identity and keys, each
     * correct on its own and with its own state; the simulator's network decides, per peer and
     * period, which copy that peer hears. Peers see equivocation, double votes and lost state.
     */
    TWIN("twin: two correct copies of one server", false),
    /** ByzzFuzz (Winter et al., 2023): one field of a few of its local PBFT messages mutated, at seeded rounds. */
    MUTATOR("mutates one field of a few local messages", false),
    /** Twins of a whole site: two copies of every server, so two logical machines speak for the site. */
    TWIN_SITE("twin logical machines", false),
    /** ByzzFuzz at the wide area: one field of a few of its wide-area messages mutated, and signed by the site. */
    MUTATOR_SITE("a logical machine mutating one field of a few messages", false),
    /**
     * As the site's view-0 PBFT primary, sends a backup that has prepared a slot a second,
     * different pre-prepare for it: the backup's one-pre-prepare-per-slot rule must hold.
     */
    DOUBLE_PRE_PREPARE("leader sending a second pre-prepare for a slot", true),
    /**
     * As the site's view-0 PBFT primary, orders logical-machine events no correct server would
     * submit (forged or mislabelled wide-area messages, client updates, LM timeouts): the
     * executor's checks on execution, behind those at receipt, must refuse them at every server alike.
     */
    UNVERIFIED_EVENTS("leader ordering unverified logical-machine events", true),
    /**
     * Sends other members unasked state-transfer replies proving made-up batches with forged
     * commit certificates (others' names without their signatures, or its own vote a quorum of
     * times): the checks of each certificate entry must hold.
     */
    CERTIFICATE_FORGER("forges commit certificates", false),
    /**
     * Vouches to its site for the client signature of every update it is one of the f+1 checkers
     * of, without checking it: the others must still refuse a forged update, since its other
     * checkers do not vouch for it (ServerNode#vouchForAccepted).
     */
    VOUCH_LIAR("vouches for client signatures it never checked", false),
    /**
     * Signs, with the number of each Ordering_Request it makes, a second one for another valid
     * update it took in (CLink-Order, section 4.5): its site must prove it corrupt from the two,
     * at every correct server alike, and still execute every update.
     */
    REQUEST_EQUIVOCATOR("signs two ordering requests with one number", false),
    /**
     * Correct inside its site, but as a forwarder sends no wide-area frame at all (issue 17's
     * faulty forwarder): every logical-machine message it should carry must find another way.
     */
    LINK_DROPPER("forwarder dropping every wide-area frame", false),
    /** As {@link #LINK_DROPPER}, for the frames to one other site only (drawn from the seed): one logical link blocked. */
    ONE_LINK_DROPPER("forwarder dropping the wide-area frames to one site", false),
    /**
     * Correct inside its site, but as a peer takes wide-area frames in and never passes them on
     * (issue 17's peer that does not disseminate): its site must still hear what was sent to it.
     */
    DEAF_PEER("peer passing on no wide-area frame it receives", false),
    /**
     * As {@link #DEAF_PEER}, and answers each BLink frame it swallows with an acknowledgement of
     * that message to the sending site (issue 17's peer that acknowledges what it never
     * disseminated). Acknowledgements are logical-machine messages under its site's signature,
     * which one server cannot make: the lie must be refused and the message still arrive.
     */
    ACK_LIAR("peer acknowledging what it never passed on", false),
    /**
     * Correct but for the snapshots of its logical machine it serves other servers of its site
     * (issue 18): every piece it sends has a byte changed. The fetching server must find out from
     * the certified digest, count it, and fetch the snapshot from another server.
     */
    SNAPSHOT_LIAR("serves corrupted snapshot pieces", false),
    /**
     * A whole compromised site, correct but for the global states its logical machine serves
     * others behind the wide-area history (issue 18): to half the sites a changed byte under the
     * digest it should have, to the other half a changed state under that state's own digest. The
     * asking machine must refuse both against its wide-area checkpoint certificate, count them,
     * and install a certified state from another site.
     */
    GLOBAL_STATE_LIAR("a logical machine serving corrupted global states", false);

    public final String description;
    public final boolean leader;

    Adversary(String description, boolean leader) {
        this.description = description;
        this.leader = leader;
    }

    /**
     * The parts of a server this adversary runs, from its correct {@code parts}: a faulty core, a
     * spoiled signer, or the correct parts for those that misbehave on their links (silent,
     * garbage, replay: the simulator applies those to what the server sends).
     */
    public ServerAssembly.Parts corrupt(ServerAssembly.Parts parts, ServerAssembly assembly) {
        return corrupt(parts, assembly, 0, ByzzFuzzCore.Listener.NONE);
    }

    /**
     * As {@link #corrupt(ServerAssembly.Parts, ServerAssembly)}, for the adversaries that draw
     * from a seed ({@code mischiefSeed}; the same for every server of a compromised site, which
     * must all misbehave alike) and report their rounds.
     */
    public ServerAssembly.Parts corrupt(ServerAssembly.Parts parts, ServerAssembly assembly, long mischiefSeed, ByzzFuzzCore.Listener rounds) {
        Deployment d = assembly.deployment();
        return switch (this) {
            case EQUIVOCATING_LEADER -> parts.withLocal(equivocating(d.effectiveLocalPbft(), assembly.localKeys()));
            case STARVING_LEADER -> parts.withLocal(starving(d.effectiveLocalPbft(), assembly.localKeys()));
            case EQUIVOCATING_SITE -> parts.withWide(equivocating(d.effectiveWidePbft(), assembly.wideKeys()));
            case MUTATING_SITE -> parts.withWide(new MutatingCore(parts.wide()));
            case ROGUE_LM -> parts.withWide(d.composition().wide().byzantine()
                    ? equivocating(d.effectiveWidePbft(), assembly.wideKeys()) : new EquivocatingPaxos(d.effectiveWidePaxos()));
            case BAD_SHARES -> parts.signing() instanceof SiteSigning.Shared shared ? parts.withSigning(new BadShares(shared)) : parts;
            case MUTATOR -> parts.withLocal(new ByzzFuzzCore(parts.local(), assembly.localKeys(), mischiefSeed, rounds));
            case MUTATOR_SITE -> parts.withWide(new ByzzFuzzCore(parts.wide(), assembly.wideKeys(), mischiefSeed, rounds));
            case DOUBLE_PRE_PREPARE -> parts.withLocal(doublePrePrepare(d.effectiveLocalPbft(), assembly.localKeys()));
            case UNVERIFIED_EVENTS -> parts.withLocal(UnverifiedEventsLeader.factory(d, d.effectiveLocalPbft(), assembly.localKeys()));
            case CERTIFICATE_FORGER -> parts.withLocal(certificateForger(d.effectiveLocalPbft(), assembly.localKeys()));
            // A twin runs correct code: the simulator runs two copies and splits the network between them.
            // A vouch liar and a request equivocator run correct parts: the simulator's ServerIo
            // says they lie (vouchesUnchecked, equivocatesOrderingRequests).
            case SILENT, GARBAGE, REPLAY, SILENT_SITE, GARBAGE_SITE, TWIN, TWIN_SITE, VOUCH_LIAR, REQUEST_EQUIVOCATOR -> parts;
            // Link adversaries run correct parts: the simulator drops what they send or receive between sites.
            case LINK_DROPPER, ONE_LINK_DROPPER, DEAF_PEER, ACK_LIAR -> parts;
            // It runs correct parts: the simulator spoils the snapshot pieces it sends.
            case SNAPSHOT_LIAR -> parts;
            // It runs correct parts: its logical machine's host says it spoils global states (LmHost#spoilsGlobalStates).
            case GLOBAL_STATE_LIAR -> parts;
        };
    }

    /** Whether it takes a whole site (every server faulty) rather than one server. */
    public boolean wholeSite() {
        return this == SILENT_SITE || this == EQUIVOCATING_SITE || this == GARBAGE_SITE || this == MUTATING_SITE || this == TWIN_SITE
                || this == MUTATOR_SITE || this == GLOBAL_STATE_LIAR;
    }

    /** Whether the simulator runs two copies of each of its servers. */
    public boolean twinned() {
        return this == TWIN || this == TWIN_SITE;
    }

    /** Its name on the command line, e.g. {@code equivocating-leader}. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Parses a {@link #cliName()}; the message lists the valid names. */
    public static Adversary parse(String s) {
        for (Adversary a : values()) if (a.cliName().equals(s)) return a;
        throw new IllegalArgumentException("'" + s + "' is not an adversary; valid: "
                + java.util.Arrays.stream(values()).map(Adversary::cliName).collect(java.util.stream.Collectors.joining(", ")));
    }

    public static CoreFactory equivocating(PbftConfig config, NodeKeys.Provider provider) {
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft-equivocating";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                return EquivocatingPbft.create(config, members, self, out, provider.forNode(self), persisted);
            }
        };
    }

    public static CoreFactory doublePrePrepare(PbftConfig config, NodeKeys.Provider provider) {
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft-double-pre-prepare";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                return DoublePrePreparePbft.create(config, members, self, out, provider.forNode(self), persisted);
            }
        };
    }

    public static CoreFactory certificateForger(PbftConfig config, NodeKeys.Provider provider) {
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft-certificate-forger";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                return CertificateForgerPbft.create(config, members, self, out, provider.forNode(self), persisted);
            }
        };
    }

    public static CoreFactory starving(PbftConfig config, NodeKeys.Provider provider) {
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft-starving";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                return StarvingPbft.create(config, members, self, out, provider.forNode(self), persisted);
            }
        };
    }
}
