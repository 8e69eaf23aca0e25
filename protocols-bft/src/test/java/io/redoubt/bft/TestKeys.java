package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.SimulatedScheme;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keys for integer members, derived from the member index, with any signature scheme. In
 * transport-signed mode they stand for the wide-area tier's LM proofs ({@link LmProofKeys}): cores
 * sign nothing, and the test's transport proves each message as sent with its sender's key.
 */
final class TestKeys implements NodeKeys.Provider {
    private final SignatureScheme scheme;
    private final boolean transportSigned;
    private final boolean macs;
    private final Map<Integer, KeyPair> pairs = new TreeMap<>();

    TestKeys(SignatureScheme scheme) {
        this(scheme, false, false);
    }

    private TestKeys(SignatureScheme scheme, boolean transportSigned, boolean macs) {
        this.scheme = scheme;
        this.transportSigned = transportSigned;
        this.macs = macs;
    }

    /** Forwards carry MAC authenticators keyed per pair of members (NodeKeys#authenticates), as among a site's servers. */
    static TestKeys macForwards() {
        return new TestKeys(SimulatedScheme.INSTANCE, false, true);
    }

    static TestKeys simulated() {
        return new TestKeys(SimulatedScheme.INSTANCE);
    }

    static TestKeys transportSigned() {
        return new TestKeys(SimulatedScheme.INSTANCE, true, false);
    }

    boolean isTransportSigned() {
        return transportSigned;
    }

    /** What the transport attaches to {@code asSent}, sent by {@code from} (an LM proof, in production). */
    Bytes transportProof(int from, Bytes asSent) {
        return scheme.sign(pair(from).privateKey(), asSent);
    }

    KeyPair pair(int member) {
        return pairs.computeIfAbsent(member, m -> scheme.generate(Digests.sha256(Bytes.ofUtf8("pbft-test-member-" + m))));
    }

    NodeKeys<Integer> of(int member) {
        return forNode(member);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <N> NodeKeys<N> forNode(N self) {
        int me = (Integer) self;
        return new NodeKeys<>() {
            @Override
            public Bytes sign(Bytes message) {
                return transportSigned ? Bytes.EMPTY : scheme.sign(pair(me).privateKey(), message);
            }

            @Override
            public boolean verify(N signer, Bytes message, Bytes signature) {
                Bytes covered = transportSigned ? LmProofKeys.asSent(message) : message;
                return signer instanceof Integer i && i >= 0 && scheme.verify(pair(i).publicKey(), covered, signature);
            }

            @Override
            public boolean signsByTransport() {
                return transportSigned;
            }

            @Override
            public boolean authenticates() {
                return macs;
            }

            @Override
            public Bytes authenticator(List<N> members, Bytes message) {
                byte[] out = new byte[members.size() * NodeKeys.MAC_BYTES];
                for (int k = 0; k < members.size(); k++) {
                    System.arraycopy(NodeKeys.mac(pairKey(me, (Integer) members.get(k)), message), 0, out, k * NodeKeys.MAC_BYTES, NodeKeys.MAC_BYTES);
                }
                return Bytes.wrap(out);
            }

            @Override
            public boolean checkAuthenticator(N signer, Bytes message, Bytes authenticator, int index) {
                if (!(signer instanceof Integer i) || authenticator.length() < (index + 1) * NodeKeys.MAC_BYTES) return false;
                byte[] expected = java.util.Arrays.copyOf(NodeKeys.mac(pairKey(i, me), message), NodeKeys.MAC_BYTES);
                return java.util.Arrays.equals(expected, java.util.Arrays.copyOfRange(authenticator.unsafeArray(), index * NodeKeys.MAC_BYTES,
                        (index + 1) * NodeKeys.MAC_BYTES));
            }
        };
    }

    /** The MAC key two members share (here derived from both indices; production agrees on it from their key pairs). */
    static byte[] pairKey(int a, int b) {
        return Digests.sha256(Bytes.ofUtf8("pbft-test-mac-" + Math.min(a, b) + "-" + Math.max(a, b))).toArray();
    }

    /** {@code m} as a third party holds it after the transport delivered it from {@code member}: with its proof. */
    @SuppressWarnings("unchecked")
    <M extends PbftMessage> M proved(int member, M m) {
        return (M) m.withSignature(transportProof(member, LmProofKeys.asSent(m.signedBytes())));
    }

    /** Signs {@code m} as member {@code member} (tests forge messages of Byzantine members with this). */
    @SuppressWarnings("unchecked")
    <M extends PbftMessage> M sign(int member, M m) {
        return (M) m.withSignature(of(member).sign(m.signedBytes()));
    }
}
