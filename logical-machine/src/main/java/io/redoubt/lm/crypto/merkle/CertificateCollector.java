package io.redoubt.lm.crypto.merkle;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Gathers the servers' shares for one batch root of a Byzantine site until f+1 valid shares
 * from distinct servers form the site's certificate (Lane 2008, section 4.3). Shares arrive
 * from other servers, so every one is untrusted: each is checked on arrival and a bad one is
 * rejected with the server it claims to come from, never thrown about.
 *
 * <p>Bounded by construction: at most one share per server of the site is kept. Once complete,
 * the certificate is frozen and later shares are ignored unchecked, so a slow or hostile server
 * can neither change it nor make the collector spend signature checks.
 *
 * <p>Not thread-safe; one collector belongs to one core or host loop.
 */
public final class CertificateCollector {
    /** What became of one offered share. */
    public sealed interface Outcome permits Accepted, Completed, Ignored, Rejected {}

    /** Valid and counted; {@code validShares} of {@code needed} so far. */
    public record Accepted(ServerId server, int validShares, int needed) implements Outcome {}

    /** Valid, and it was the last one needed: here is the certificate. */
    public record Completed(ServerId server, LmSignature certificate) implements Outcome {}

    /** Not counted, and not a fault: a server already counted, or the certificate is already complete. */
    public record Ignored(ServerId server, String why) implements Outcome {}

    /** Not counted, and evidence against {@code server}: a host counts and traces it. */
    public record Rejected(ServerId server, Rejection reason, String detail) implements Outcome {}

    private final CertificateLmScheme scheme;
    private final Bytes root;
    private final Bytes rootContent;
    private final Map<Integer, ServerSignatureShare> validByIndex = new TreeMap<>(); // ascending index: the canonical order
    private LmSignature certificate;

    CertificateCollector(CertificateLmScheme scheme, Bytes root) {
        this.scheme = scheme;
        this.root = root;
        this.rootContent = LmSignatureScheme.rootContent(scheme.site(), root);
    }

    public Bytes root() {
        return root;
    }

    public Outcome offer(ServerSignatureShare share) {
        ServerId server = share.server();
        if (!scheme.isMember(server)) {
            return new Rejected(server, Rejection.NOT_A_MEMBER, "share from " + server + ", not a server of " + scheme.site());
        }
        if (certificate != null) return new Ignored(server, "certificate for root " + root + " already complete");
        if (validByIndex.containsKey(server.index())) {
            // Counting a server twice would let f faulty servers reach f+1; not re-checked, so repeats cost nothing.
            return new Ignored(server, "server " + server + " already counted for root " + root);
        }
        if (!scheme.verifyShare(server, rootContent, share.signature())) {
            return new Rejected(server, Rejection.BAD_SIGNATURE, "share of " + server + " does not verify for root " + root);
        }
        validByIndex.put(server.index(), share);
        if (validByIndex.size() < scheme.signersNeeded()) {
            return new Accepted(server, validByIndex.size(), scheme.signersNeeded());
        }
        certificate = scheme.encodeCertificate(new ArrayList<>(validByIndex.values()));
        return new Completed(server, certificate);
    }

    public int validShares() {
        return validByIndex.size();
    }

    /** The certificate once f+1 valid shares arrived; empty before. */
    public Optional<LmSignature> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** Servers counted so far, ascending. */
    public List<ServerId> signers() {
        List<ServerId> out = new ArrayList<>(validByIndex.size());
        for (ServerSignatureShare s : validByIndex.values()) out.add(s.server());
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "CertificateCollector(" + scheme.site() + ", root " + root + ", " + validByIndex.size() + "/" + scheme.signersNeeded() + ")";
    }
}
