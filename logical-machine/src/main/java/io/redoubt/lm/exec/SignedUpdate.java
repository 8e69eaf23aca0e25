package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;

/**
 * A client update (section 4.2): identified by (client, seq), where seq grows by one per update,
 * and signed by the client so that no server can invent or alter it (S2 - validity).
 */
public record SignedUpdate(ClientId client, long seq, Bytes operation, Bytes signature) implements Encodable {
    public static final int OPERATION_BYTES_MAX = 64 * 1024 + 2048;
    public static final int SIGNATURE_BYTES_MAX = 512;

    /** The bytes the client signs. */
    public static Bytes signedContent(ClientId client, long seq, Bytes operation) {
        return new CanonicalWriter().utf8("redoubt/update").client(client).i64(seq).bytes(operation).toBytes();
    }

    public Bytes signedContent() {
        return signedContent(client, seq, operation);
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        w.client(client).i64(seq).bytes(operation).bytes(signature);
    }

    public static SignedUpdate decode(CanonicalReader r) throws DecodeException {
        return new SignedUpdate(r.client(), r.nonNegative("seq"), r.bytes(OPERATION_BYTES_MAX), r.bytes(SIGNATURE_BYTES_MAX));
    }

    public static SignedUpdate decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        SignedUpdate u = decode(r);
        r.expectEnd();
        return u;
    }

    @Override
    public String toString() {
        return "update(" + client + "#" + seq + ")";
    }
}
