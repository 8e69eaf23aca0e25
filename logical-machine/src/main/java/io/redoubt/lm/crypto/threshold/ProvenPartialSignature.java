package io.redoubt.lm.crypto.threshold;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.util.Objects;

/** A partial signature with its proof of correctness, as a Partial_Sig message carries them (Lane 2008, Figure 3.2). */
public record ProvenPartialSignature(PartialSignature partial, CorrectnessProof proof) implements Encodable {
    public ProvenPartialSignature {
        Objects.requireNonNull(partial, "partial");
        Objects.requireNonNull(proof, "proof");
    }

    public int serverIndex() {
        return partial.serverIndex();
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        partial.encodeTo(w);
        proof.encodeTo(w);
    }

    public static ProvenPartialSignature decode(CanonicalReader r) throws DecodeException {
        return new ProvenPartialSignature(PartialSignature.decode(r), CorrectnessProof.decode(r));
    }

    public static ProvenPartialSignature decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        ProvenPartialSignature p = decode(r);
        r.expectEnd();
        return p;
    }
}
