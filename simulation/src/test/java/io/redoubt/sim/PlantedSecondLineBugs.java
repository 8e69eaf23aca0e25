package io.redoubt.sim;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftBehavior;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.merkle.LmSignatureScheme;
import io.redoubt.lm.sign.SiteSigning;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;

/**
 * Test code only: the deliberately broken servers of {@link PlantedSecondLineBugsTest}, each
 * missing one check that sits behind a first line, planted through the test seams (a PBFT
 * behavior, the keys a core is given, a site's signing, the executor's host).
 */
final class PlantedSecondLineBugs {
    private PlantedSecondLineBugs() {}

    /** The keys a run with this seed derives (the simulation derives them from the seed); planted cores sign with the same ones. */
    static KeyDirectory keysOf(long seed) {
        return new KeyDirectory(SignatureScheme.named("simulated"), Bytes.wrap(ByteBuffer.allocate(8).putLong(seed).array()));
    }

    /** Local PBFT whose backups take a second, different pre-prepare for a slot in place of the one they hold. */
    static CoreFactory pbftReplacingHeldPrePrepares(long seed) {
        return pbft("pbft-replacing-held-pre-prepares", NodeKeys.fromDirectory(keysOf(seed)), new PbftBehavior<>() {
            @Override
            public boolean replacesHeldPrePrepare() {
                return true;
            }
        });
    }

    /** Local PBFT whose members sign correctly but take every peer's signature, and every certificate entry's, as valid. */
    static CoreFactory pbftSkippingSignatureChecks(long seed) {
        NodeKeys.Provider real = NodeKeys.fromDirectory(keysOf(seed));
        NodeKeys.Provider trusting = new NodeKeys.Provider() {
            @Override
            public <N> NodeKeys<N> forNode(N self) {
                NodeKeys<N> keys = real.forNode(self);
                return new NodeKeys<>() {
                    @Override
                    public Bytes sign(Bytes message) {
                        return keys.sign(message);
                    }

                    @Override
                    public boolean verify(N signer, Bytes message, Bytes signature) {
                        return true; // the bug
                    }
                };
            }
        };
        return pbft("pbft-skipping-signature-checks", trusting, PbftBehavior.correct());
    }

    private static CoreFactory pbft(String name, NodeKeys.Provider keys, PbftBehavior<?> behavior) {
        PbftConfig config = PbftConfig.localDefaults();
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return name;
            }

            @Override
            @SuppressWarnings("unchecked")
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                // A behavior keeps no state here, so one instance may serve every core.
                return new PbftCore<>(config, members, self, out, keys.forNode(self), persisted, (PbftBehavior<N>) behavior);
            }
        };
    }

    /** Every server's logical machine skips its check of the wide-area messages its site ordered. */
    static SimConfig.PlantedBug lmSkippingChecksOfOrderedWideMessages() {
        return new SimConfig.PlantedBug("a logical machine not checking ordered wide-area messages", p -> p, true);
    }

    /** Every server vouches for the client signatures of the updates it is to check, without checking them. */
    static SimConfig.PlantedBug checkersVouchingUnchecked() {
        return new SimConfig.PlantedBug("checkers vouching for client signatures they never checked", p -> p, false, true);
    }

    /** Every server of a Byzantine site answers any share for a root it never derived with a share of its own. */
    static SimConfig.PlantedBug signersVouchingForAnyRoot() {
        return new SimConfig.PlantedBug("signers sharing roots their logical machine never produced",
                p -> p.signing() instanceof SiteSigning.Shared shared ? p.withSigning(new VouchingForAnyRoot(shared)) : p, false);
    }

    /** A correct signer but for the planted bug. */
    private record VouchingForAnyRoot(SiteSigning.Shared honest) implements SiteSigning.Shared {
        @Override
        public LmSignatureScheme verifier() {
            return honest.verifier();
        }

        @Override
        public String kindName() {
            return honest.kindName();
        }

        @Override
        public Bytes share(Bytes root) {
            return honest.share(root);
        }

        @Override
        public Collector collector(Bytes root, Set<ServerId> blacklist) {
            return honest.collector(root, blacklist);
        }

        @Override
        public boolean provesShares() {
            return honest.provesShares();
        }

        @Override
        public Bytes proof(Bytes root) {
            return honest.proof(root);
        }

        @Override
        public boolean isEvidenceOfBadShare(ServerId accused, Bytes root, Bytes share, Bytes proof) {
            return honest.isEvidenceOfBadShare(accused, root, share, proof);
        }

        @Override
        public boolean vouchesForRootsItNeverDerived() {
            return true; // the bug
        }
    }
}
