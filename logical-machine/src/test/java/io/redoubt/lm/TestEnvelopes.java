package io.redoubt.lm;

import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.crypto.merkle.MerkleBatch;
import io.redoubt.lm.crypto.merkle.SingleKeyLmSigner;
import java.util.List;

/** Builds wide-area envelopes as a benign site's forwarder does (section 4.6), and broken variants. */
public final class TestEnvelopes {
    private TestEnvelopes() {}

    /** {@code message} alone in a batch, signed by {@code from}'s site key. */
    public static LmEnvelopePart signed(KeyDirectory keys, SiteId from, Bytes message) {
        MerkleBatch batch = MerkleBatch.of(List.of(message));
        LmSignature sig = new SingleKeyLmSigner(keys.scheme(), from, keys.site(from).privateKey()).sign(batch.root());
        return batch.envelopes(sig).get(0);
    }

    public static LmEnvelopePart withSignatureValue(LmEnvelopePart e, Bytes value) {
        return new LmEnvelopePart(e.message(), e.path(), new LmSignature(e.signature().scheme(), value));
    }

    public static LmEnvelopePart withMessage(LmEnvelopePart e, Bytes message) {
        return new LmEnvelopePart(message, e.path(), e.signature());
    }
}
