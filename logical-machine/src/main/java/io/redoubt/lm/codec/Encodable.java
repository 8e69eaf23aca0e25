package io.redoubt.lm.codec;

import io.redoubt.lm.Bytes;

/** Something with one canonical byte encoding: every correct server produces identical bytes. */
public interface Encodable {
    void encodeTo(CanonicalWriter out);

    default Bytes encode() {
        CanonicalWriter w = new CanonicalWriter();
        encodeTo(w);
        return w.toBytes();
    }
}
