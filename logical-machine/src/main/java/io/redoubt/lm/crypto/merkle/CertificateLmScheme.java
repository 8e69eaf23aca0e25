package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.KeyDirectory;
import java.util.List;

/**
 * A Byzantine site's batch signature as a certificate: f+1 ordinary signatures over the same
 * root content by distinct servers of the site, so at least one correct server vouches for the
 * batch and f faulty servers alone cannot forge it (Lane 2008, section 4.3, where threshold RSA
 * gives the same guarantee in one constant-size signature; the certificate needs no dealer and
 * no new cryptography, at the price of f+1 signatures on the wire and f+1 checks per root).
 *
 * <p>One instance per Byzantine site, because the server count and f are the site's.
 *
 * <p>Encoding of the signature value (canonical, so every collector holding the same shares
 * produces identical bytes): a list of exactly f+1 entries (server index as i32, signature as
 * a length-prefixed byte string), server indexes strictly ascending. A verifier accepts nothing
 * else: no extra entries, no repeated or unsorted indexes, no trailing bytes.
 */
public final class CertificateLmScheme implements LmSignatureScheme {
    /** Most signers a certificate may need, so that a full certificate fits in {@link LmSignature#VALUE_BYTES_MAX}. */
    public static final int SIGNERS_MAX = LmSignature.VALUE_BYTES_MAX / (4 + 4 + 4 + ServerSignatureShare.SIGNATURE_BYTES_MAX);

    private final KeyDirectory serverKeys;
    private final SiteId site;
    private final int serverCount;
    private final int faultsTolerated;
    private final String name;

    /**
     * @param serverKeys public keys of the site's servers
     * @param serverCount servers in the site; indexes {@code 0..serverCount-1} may sign
     * @param faultsTolerated f: the most servers of the site that may be Byzantine
     */
    public CertificateLmScheme(KeyDirectory serverKeys, SiteId site, int serverCount, int faultsTolerated) {
        if (faultsTolerated < 0 || faultsTolerated + 1 > serverCount) {
            throw new IllegalArgumentException("f must be in [0, serverCount - 1] = [0, " + (serverCount - 1) + "], was " + faultsTolerated);
        }
        if (faultsTolerated + 1 > SIGNERS_MAX) {
            throw new IllegalArgumentException("f + 1 = " + (faultsTolerated + 1) + " signers exceed the certificate bound " + SIGNERS_MAX);
        }
        this.serverKeys = serverKeys;
        this.site = site;
        this.serverCount = serverCount;
        this.faultsTolerated = faultsTolerated;
        this.name = "certificate/" + serverKeys.scheme().name();
    }

    @Override
    public String name() {
        return name;
    }

    public SiteId site() {
        return site;
    }

    public int serverCount() {
        return serverCount;
    }

    /** f+1: enough that at least one signer is correct. */
    public int signersNeeded() {
        return faultsTolerated + 1;
    }

    /** A fresh collector for the shares of one root of this site. */
    public CertificateCollector newCollector(Bytes root) {
        return new CertificateCollector(this, root);
    }

    /** True if {@code server} is a server of this site. */
    boolean isMember(ServerId server) {
        return server.site().equals(site) && server.index() < serverCount;
    }

    /** One share's signature check; the caller has checked membership. */
    boolean verifyShare(ServerId server, Bytes rootContent, Bytes signature) {
        return serverKeys.verify(server, rootContent, signature);
    }

    /** The canonical certificate; {@code shares} are f+1 shares of distinct servers in ascending index order. */
    LmSignature encodeCertificate(List<ServerSignatureShare> shares) {
        CanonicalWriter w = new CanonicalWriter();
        w.list(shares, (out, s) -> out.i32(s.server().index()).bytes(s.signature()));
        return new LmSignature(name, w.toBytes());
    }

    @Override
    public boolean verify(SiteId signer, Bytes rootContent, Bytes signature) {
        if (!signer.equals(site)) return false;
        int needed = signersNeeded();
        int[] indexes = new int[needed];
        Bytes[] signatures = new Bytes[needed];
        try {
            CanonicalReader r = new CanonicalReader(signature);
            int count = r.count(needed, "certificate entry");
            if (count != needed) return false;
            for (int i = 0; i < needed; i++) {
                indexes[i] = r.i32();
                signatures[i] = r.bytes(ServerSignatureShare.SIGNATURE_BYTES_MAX);
                if (indexes[i] < 0 || indexes[i] >= serverCount) return false;
                if (i > 0 && indexes[i] <= indexes[i - 1]) return false; // duplicates or a non-canonical order
            }
            r.expectEnd();
        } catch (DecodeException malformed) {
            return false;
        }
        // Every entry must verify; checked only after the whole encoding parsed, so garbage costs no signature check.
        for (int i = 0; i < needed; i++) {
            if (!verifyShare(new ServerId(site, indexes[i]), rootContent, signatures[i])) return false;
        }
        return true;
    }

    @Override
    public String toString() {
        return "CertificateLmScheme(" + name + ", " + site + ", n=" + serverCount + ", f=" + faultsTolerated + ")";
    }
}
