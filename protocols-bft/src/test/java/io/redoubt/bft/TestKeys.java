package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.crypto.SimulatedScheme;
import java.util.Map;
import java.util.TreeMap;

/** Keys for integer members, derived from the member index, with any signature scheme. */
final class TestKeys implements NodeKeys.Provider {
    private final SignatureScheme scheme;
    private final Map<Integer, KeyPair> pairs = new TreeMap<>();

    TestKeys(SignatureScheme scheme) {
        this.scheme = scheme;
    }

    static TestKeys simulated() {
        return new TestKeys(SimulatedScheme.INSTANCE);
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
                return scheme.sign(pair(me).privateKey(), message);
            }

            @Override
            public boolean verify(N signer, Bytes message, Bytes signature) {
                return signer instanceof Integer i && i >= 0 && scheme.verify(pair(i).publicKey(), message, signature);
            }
        };
    }

    /** Signs {@code m} as member {@code member} (tests forge messages of Byzantine members with this). */
    @SuppressWarnings("unchecked")
    <M extends PbftMessage> M sign(int member, M m) {
        return (M) m.withSignature(of(member).sign(m.signedBytes()));
    }
}
