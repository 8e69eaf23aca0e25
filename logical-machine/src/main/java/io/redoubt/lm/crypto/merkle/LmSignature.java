package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import java.nio.charset.StandardCharsets;

/**
 * A logical machine's signature over one batch root (Lane 2008, sections 4.3 and 4.6): opaque
 * bytes that only the {@link LmSignatureScheme} named by {@code scheme} can interpret. The name
 * travels with the bytes so a receiver can refuse a signature of a kind the sending site does
 * not use, before parsing anything; the receiver never picks the scheme from the name.
 */
public record LmSignature(String scheme, Bytes value) implements Encodable {
    public static final int SCHEME_NAME_BYTES_MAX = 64;
    /** Room for a certificate of f+1 signatures with f in the hundreds, or a 4096-bit RSA signature. */
    public static final int VALUE_BYTES_MAX = 16 * 1024;

    public LmSignature {
        if (scheme == null || scheme.isEmpty() || scheme.getBytes(StandardCharsets.UTF_8).length > SCHEME_NAME_BYTES_MAX) {
            throw new IllegalArgumentException("scheme name must have 1 to " + SCHEME_NAME_BYTES_MAX + " UTF-8 bytes, was " + scheme);
        }
        if (value == null || value.length() > VALUE_BYTES_MAX) {
            throw new IllegalArgumentException("signature value must have at most " + VALUE_BYTES_MAX + " bytes");
        }
    }

    @Override
    public void encodeTo(CanonicalWriter out) {
        out.utf8(scheme).bytes(value);
    }

    public static LmSignature decode(CanonicalReader r) throws DecodeException {
        String scheme = r.utf8(SCHEME_NAME_BYTES_MAX);
        if (scheme.isEmpty()) throw new DecodeException("empty signature scheme name");
        Bytes value = r.bytes(VALUE_BYTES_MAX);
        return new LmSignature(scheme, value);
    }

    public static LmSignature decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        LmSignature s = decode(r);
        r.expectEnd();
        return s;
    }

    @Override
    public String toString() {
        return "LmSignature(" + scheme + ", " + value + ")";
    }
}
