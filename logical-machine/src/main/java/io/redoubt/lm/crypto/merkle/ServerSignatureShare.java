package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.codec.Encodable;

/**
 * One server's contribution to its site's certificate for a batch root: an ordinary signature
 * with that server's own key over {@link LmSignatureScheme#rootContent} (Lane 2008, section 4.3).
 * It names the full {@link ServerId}, not only the index, so a collector can refuse a share
 * from another site without spending a signature check and can name the right server.
 */
public record ServerSignatureShare(ServerId server, Bytes signature) implements Encodable {
    /** Larger than any ordinary signature we use (Ed25519: 64 B; RSA-4096: 512 B). */
    public static final int SIGNATURE_BYTES_MAX = 512;

    public ServerSignatureShare {
        if (server == null || signature == null) throw new IllegalArgumentException("server and signature are required");
        if (signature.length() > SIGNATURE_BYTES_MAX) {
            throw new IllegalArgumentException("share signature of " + signature.length() + " bytes exceeds " + SIGNATURE_BYTES_MAX);
        }
    }

    @Override
    public void encodeTo(CanonicalWriter out) {
        out.server(server).bytes(signature);
    }

    public static ServerSignatureShare decode(Bytes bytes) throws DecodeException {
        CanonicalReader r = new CanonicalReader(bytes);
        ServerSignatureShare s = new ServerSignatureShare(r.server(), r.bytes(SIGNATURE_BYTES_MAX));
        r.expectEnd();
        return s;
    }

    @Override
    public String toString() {
        return "ServerSignatureShare(" + server + ", " + signature + ")";
    }
}
