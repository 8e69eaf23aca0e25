package io.redoubt.sim.adversary;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.ForwardingOutbox;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.crypto.Digests;
import java.util.List;

/**
 * The wide-area core of a compromised site that mutates half of what it sends: a few bytes of
 * the encoded message changed, at places chosen by the message's own hash. Every server of the
 * site makes the same change, so the site's logical machine signs the mutated message and the
 * other sites receive nonsense under a valid LM signature: absurd views, sequence numbers,
 * counts and digests that reach the receiving cores' decoders and checks, which must refuse,
 * count and survive them.
 */
public final class MutatingCore implements CoreFactory {
    private final CoreFactory inner;

    public MutatingCore(CoreFactory inner) {
        this.inner = inner;
    }

    @Override
    public String protocolName() {
        return inner.protocolName() + "-mutating";
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        Outbox<N> mutating = new ForwardingOutbox<>(out) {
            @Override
            public void send(N to, Encodable message) {
                Bytes encoded = message.encode();
                byte[] h = Digests.sha256(encoded).unsafeArray(); // deterministic: the same at every server of the site
                if ((h[0] & 1) == 0 || encoded.length() == 0) {
                    inner.send(to, message);
                    return;
                }
                byte[] b = encoded.unsafeArray().clone();
                int flips = 1 + (h[1] & 3);
                for (int k = 0; k < flips; k++) {
                    int at = Math.floorMod((h[2 + 2 * k] << 8) | (h[3 + 2 * k] & 0xff), b.length);
                    b[at] ^= (byte) (1 + (h[10 + k] & 0x7f));
                }
                inner.send(to, w -> w.raw(b));
            }
        };
        return inner.create(members, self, mutating, persisted);
    }
}
