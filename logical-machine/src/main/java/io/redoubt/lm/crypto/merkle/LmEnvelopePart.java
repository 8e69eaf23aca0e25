package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;

/**
 * What travels with one wide-area message so that it is self-contained (Lane 2008, section 4.6:
 * "each outgoing message is self-contained, including everything necessary for validation
 * (except the public key)"): the message, its path to the batch root, and the logical
 * machine's signature over that root.
 */
public record LmEnvelopePart(Bytes message, MerklePath path, LmSignature signature) implements Encodable {
    public LmEnvelopePart {
        if (message == null || path == null || signature == null) throw new IllegalArgumentException("message, path and signature are required");
    }

    /** The path and signature without the message: what a protocol keeps to relay the message later. */
    public LmProof proof() {
        return new LmProof(path, signature);
    }

    @Override
    public void encodeTo(CanonicalWriter out) {
        out.bytes(message);
        path.encodeTo(out);
        signature.encodeTo(out);
    }

    /** Reads an envelope from untrusted bytes; the message may have at most {@code messageBytesMax} bytes. */
    public static LmEnvelopePart decode(Bytes bytes, int messageBytesMax) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        LmEnvelopePart e = decode(r, messageBytesMax);
        r.expectEnd();
        return e;
    }

    public static LmEnvelopePart decode(CanonicalReader r, int messageBytesMax) throws DecodeException {
        Bytes message = r.bytes(messageBytesMax);
        MerklePath path = MerklePath.decode(r);
        LmSignature signature = LmSignature.decode(r);
        return new LmEnvelopePart(message, path, signature);
    }

    @Override
    public String toString() {
        return "LmEnvelopePart(" + message + ", " + path + ", " + signature + ")";
    }
}
