package io.redoubt.lm.exec;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.TimerId;

/**
 * A server's signed statement that its local timer for the wide-area timer {@code timer}, armed
 * at LM timer generation {@code generation}, expired (section 4.3). A Byzantine site orders a
 * timeout only with f+1 of these, so at least one correct server saw it expire.
 */
public record TimeoutNotice(ServerId signer, TimerId timer, long generation, Bytes signature) implements Encodable {
    public static Bytes signedContent(ServerId signer, TimerId timer, long generation) {
        CanonicalWriter w = new CanonicalWriter().utf8("redoubt/lm-timeout").server(signer);
        timer.encodeTo(w);
        return w.i64(generation).toBytes();
    }

    public Bytes signedContent() {
        return signedContent(signer, timer, generation);
    }

    @Override
    public void encodeTo(CanonicalWriter w) {
        w.server(signer);
        timer.encodeTo(w);
        w.i64(generation).bytes(signature);
    }

    public static TimeoutNotice decode(CanonicalReader r) throws DecodeException {
        return new TimeoutNotice(r.server(), TimerId.decode(r), r.nonNegative("generation"), r.bytes(SignedUpdate.SIGNATURE_BYTES_MAX));
    }
}
