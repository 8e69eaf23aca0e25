package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;

/**
 * What makes one wide-area message checkable by anyone, on its own: its path to a batch root and
 * its logical machine's signature over that root (Lane 2008, section 4.6). It is the envelope
 * without the message, so a protocol can keep it beside a message it may later relay inside a
 * certificate (a prepared certificate, a checkpoint proof) to a third site.
 */
public record LmProof(MerklePath path, LmSignature signature) implements Encodable {
    /** A bound on an encoded proof: a path of up to 16 siblings (with length prefixes) and the largest signature. */
    public static final int ENCODED_BYTES_MAX = 1024 + LmSignature.VALUE_BYTES_MAX;

    public LmProof {
        if (path == null || signature == null) throw new IllegalArgumentException("path and signature are required");
    }

    @Override
    public void encodeTo(CanonicalWriter out) {
        path.encodeTo(out);
        signature.encodeTo(out);
    }

    /** Reads a proof from untrusted bytes. */
    public static LmProof decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        LmProof p = new LmProof(MerklePath.decode(r), LmSignature.decode(r));
        r.expectEnd();
        return p;
    }
}
