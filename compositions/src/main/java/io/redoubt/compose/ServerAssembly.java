package io.redoubt.compose;

import io.redoubt.blink.BLink;
import io.redoubt.blink.RotatingLink;
import io.redoubt.bft.LmProofKeys;
import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftFactory;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.app.StateMachine;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.SoloCore;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.VerifiedRootCache;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.lm.server.ServerConfig;
import io.redoubt.lm.server.ServerIo;
import io.redoubt.lm.server.ServerNode;
import io.redoubt.lm.server.WideLink;
import io.redoubt.lm.sign.SiteSigning;
import io.redoubt.paxos.PaxosFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Builds every server of a deployment from its description: the one place where a composition
 * becomes running parts (section 4.3, Figure 4.1). The simulator and the Pekko host both build
 * their servers here, so what runs in virtual time is what runs on sockets.
 *
 * <p>Per deployment it makes the logical-machine keyring (a site key for a benign site, threshold
 * RSA or f+1-signature certificates for a Byzantine one), and the two kinds of PBFT keys: local
 * PBFT signs with the servers' own keys, PBFT among sites with each message's LM proof, so that no
 * key one faulty server holds can sign for its site ({@link LmProofKeys}). Per server it picks the
 * local core of its site's protocol, the wide-area core, its part in signing for its site, its
 * application and its settings.
 */
public final class ServerAssembly {
    /** What one server is made of; a host or test may replace parts before the server is built. */
    public record Parts(CoreFactory local, CoreFactory wide, SiteSigning signing, WideLink.Factory link, StateMachine app) {
        public Parts withLocal(CoreFactory f) {
            return new Parts(f, wide, signing, link, app);
        }

        public Parts withWide(CoreFactory f) {
            return new Parts(local, f, signing, link, app);
        }

        public Parts withSigning(SiteSigning s) {
            return new Parts(local, wide, s, link, app);
        }

        public Parts withLink(WideLink.Factory l) {
            return new Parts(local, wide, signing, l, app);
        }

        public Parts withApp(StateMachine a) {
            return new Parts(local, wide, signing, link, a);
        }
    }

    private final Deployment deployment;
    private final KeyDirectory keys;
    private final LmKeyring keyring;
    private final NodeKeys.Provider localKeys;
    private final NodeKeys.Provider wideKeys;
    private final CoreFactory wideFactory;
    private final Map<LocalProtocol, CoreFactory> localFactories = new TreeMap<>();
    private final Supplier<StateMachine> application;

    /** A deployment replicating the key-value store. */
    public ServerAssembly(Deployment deployment, KeyDirectory keys) {
        this(deployment, keys, KeyValueStore::new, UnaryOperator.identity());
    }

    /**
     * @param application makes each server's copy of the replicated service
     * @param siteSpecs lets a test weaken how sites sign (to show the checkers catch it); identity otherwise
     */
    public ServerAssembly(Deployment deployment, KeyDirectory keys, Supplier<StateMachine> application,
                          UnaryOperator<LmKeyring.SiteSpec> siteSpecs) {
        this(deployment, keys, application, siteSpecs, LmKeyring.seededDealer(keys, deployment.insecureThresholdKeys()));
    }

    /** As above, with threshold keys from {@code dealer} instead of from the deployment secret of {@code keys}. */
    public ServerAssembly(Deployment deployment, KeyDirectory keys, Supplier<StateMachine> application,
                          UnaryOperator<LmKeyring.SiteSpec> siteSpecs, LmKeyring.Dealer dealer) {
        this(deployment, keys, derivedKeyring(deployment, keys, siteSpecs, dealer), application);
    }

    /**
     * With key material a server loaded from keygen's files: its own private key and share, every
     * other principal's public key, every site's verifier ({@link LmKeyring#loaded}).
     */
    public ServerAssembly(Deployment deployment, KeyDirectory keys, LmKeyring keyring, Supplier<StateMachine> application) {
        this.deployment = deployment;
        this.keys = keys;
        this.application = application;
        this.keyring = keyring;
        // Amortized (section 4.6), the events a server forwards to its site carry MACs instead of signatures (section 4.7: "BFT can use MACs").
        this.localKeys = NodeKeys.fromDirectory(keys, deployment.amortized());
        this.wideKeys = new LmProofKeys(keyring.verifiers());
        this.wideFactory = wideFactory(null);
        for (LocalProtocol p : LocalProtocol.values()) {
            localFactories.put(p, switch (p) {
                case BFT -> new PbftFactory(deployment.effectiveLocalPbft(), localKeys);
                case SOLO -> new SoloCore.Factory(deployment.localPaxos().payloadBytesMax());
                case PAXOS -> new PaxosFactory(deployment.effectiveLocalPaxos());
            });
        }
    }

    /** Every site's keys derived from the deployment secret, dealt here: the simulator's way (a seed reproduces them). */
    private static LmKeyring derivedKeyring(Deployment deployment, KeyDirectory keys, UnaryOperator<LmKeyring.SiteSpec> siteSpecs,
                                            LmKeyring.Dealer dealer) {
        Map<SiteId, LmKeyring.SiteSpec> specs = new TreeMap<>();
        for (SiteId s : deployment.siteIds()) specs.put(s, siteSpecs.apply(deployment.siteSpec(s)));
        return new LmKeyring(keys, specs, deployment.thresholdKeyBits(), dealer);
    }

    /** The parts of a correct {@code server}. */
    public Parts parts(ServerId server) {
        return new Parts(localFactories.get(deployment.localAt(server.site())), wideFactory, keyring.signingFor(server),
                deployment.blink().enabled() ? BLink.factory(deployment.blink()) : RotatingLink.FACTORY,
                application.get());
    }

    /** The settings of a server of {@code site}. */
    public ServerConfig serverConfig(SiteId site) {
        boolean byzantine = deployment.localAt(site).byzantine();
        return ServerConfig.benignSite().withNoticesNeeded(keyring.noticesNeeded(site)).withEveryServerReplying(byzantine)
                .withMerkleBatching(deployment.amortized()).withForwardTimeout(deployment.clinkForwardTimeoutMillis())
                .withOrderedUpdatesRechecked(deployment.composition().wide().byzantine())
                .withSnapshotInterval(deployment.snapshotIntervalSlots());
    }

    /**
     * The wide-area core's factory. PBFT among sites checks each message's LM proof, with
     * {@code roots} as its cache of checked roots (a server's own, shared with its logical
     * machine) or, when null, a cache per core.
     */
    private CoreFactory wideFactory(VerifiedRootCache roots) {
        return switch (deployment.composition().wide()) {
            case BFT -> new PbftFactory(deployment.effectiveWidePbft(), roots == null ? wideKeys : new LmProofKeys(keyring.verifiers(), roots));
            case PAXOS -> new PaxosFactory(deployment.effectiveWidePaxos());
        };
    }

    /** Builds a correct {@code server}, restored from what it persisted ({@code persisted} is empty for a new one). */
    public ServerNode build(ServerId server, ServerIo io, List<Bytes> persisted) {
        return build(server, io, persisted, UnaryOperator.identity());
    }

    /** Builds {@code server} from its correct parts as {@code customize} changes them (adversaries, planted bugs). */
    public ServerNode build(ServerId server, ServerIo io, List<Bytes> persisted, UnaryOperator<Parts> customize) {
        // One cache of checked LM roots per server, shared by its logical machine, which checks
        // every ordered wide-area message, and its wide-area PBFT core, which checks the same
        // messages' proofs again: each root's signature is checked once per server (issue 16).
        VerifiedRootCache roots = new VerifiedRootCache(VerifiedRootCache.DEFAULT_CAPACITY);
        Parts p = customize.apply(parts(server).withWide(wideFactory(roots)));
        return new ServerNode(server, keyring, p.signing(), serverConfig(server.site()), p.local(), p.wide(), p.link(), keys, p.app(), io, persisted,
                roots);
    }

    public Deployment deployment() {
        return deployment;
    }

    public KeyDirectory keys() {
        return keys;
    }

    public LmKeyring keyring() {
        return keyring;
    }

    /** How local PBFT signs: with each server's own key. */
    public NodeKeys.Provider localKeys() {
        return localKeys;
    }

    /** How PBFT among sites signs: with each message's LM proof. */
    public NodeKeys.Provider wideKeys() {
        return wideKeys;
    }
}
