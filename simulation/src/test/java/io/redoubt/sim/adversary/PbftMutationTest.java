package io.redoubt.sim.adversary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.PbftMessage;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.sim.net.RandomSource;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ByzzFuzz's mutation of a checkpoint digest that certifies a host state beside the chain (issue 18). */
class PbftMutationTest {
    private static Bytes half(Bytes d, int from) {
        return Bytes.wrap(Arrays.copyOfRange(d.toArray(), from, from + PbftMessage.DIGEST_LENGTH));
    }

    @Test
    void aChainAndStateDigestHasExactlyOneOfItsPartsChangedAndBothPartsGetChanged() {
        Bytes chain = Digests.sha256(Bytes.ofUtf8("chain")), state = Digests.sha256(Bytes.ofUtf8("state"));
        byte[] both = new byte[2 * PbftMessage.DIGEST_LENGTH];
        System.arraycopy(chain.unsafeArray(), 0, both, 0, 32);
        System.arraycopy(state.unsafeArray(), 0, both, 32, 32);
        Bytes digest = Bytes.wrap(both);
        RandomSource r = new RandomSource(7);
        int chainChanged = 0, stateChanged = 0;
        for (int i = 0; i < 64; i++) {
            Bytes m = PbftMutation.otherCheckpointDigest(digest, r, List.of(Digests.sha256(Bytes.ofUtf8("elsewhere"))));
            assertEquals(digest.length(), m.length(), "still a chain and a state");
            boolean c = !half(m, 0).equals(chain), s = !half(m, 32).equals(state);
            assertTrue(c ^ s, "exactly one part changed");
            if (c) chainChanged++;
            else stateChanged++;
        }
        assertTrue(chainChanged > 0 && stateChanged > 0, chainChanged + " chains, " + stateChanged + " states");
        // A chain alone is changed as any digest.
        assertNotEquals(chain, PbftMutation.otherCheckpointDigest(chain, r, List.of()));
        assertEquals(32, PbftMutation.otherCheckpointDigest(chain, r, List.of()).length());
    }
}
