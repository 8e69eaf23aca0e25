package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.VerifiedSignatures;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The signing capability a host gives one PBFT core: it signs as this node and verifies what other
 * members signed. PBFT needs signatures, not only authenticated links, because view-change and
 * state-transfer messages carry certificates that a third party must be able to check (Castro and
 * Liskov, OSDI '99, section 4.4). Production passes Ed25519 keys; the simulator passes
 * {@link io.redoubt.lm.crypto.SimulatedScheme} keys. At the wide-area tier a message's signature is
 * its logical machine's proof ({@link LmProofKeys}): no key held by any one server can sign for a
 * site, so a faulty server cannot help another site forge its site's messages.
 *
 * @param <N> node identity type
 */
public interface NodeKeys<N> {
    /** Signs {@code message} as this node. Must be deterministic (Ed25519 is). */
    Bytes sign(Bytes message);

    /** Whether {@code signature} is {@code signer}'s signature of {@code message}; never throws. */
    boolean verify(N signer, Bytes message, Bytes signature);

    /**
     * Whether signatures come from the transport rather than from {@link #sign}: {@code sign}
     * returns {@link Bytes#EMPTY}, each message sent leaves unsigned, and the host hands the core
     * the proof that came with it ({@link io.redoubt.lm.core.OrderingCore#onMessage(Object, Bytes,
     * Bytes)}). A member's own messages then have no signature of their own; inside a message of
     * that same member they need none (the enclosing message's proof covers them).
     */
    default boolean signsByTransport() {
        return false;
    }

    /**
     * Whether this node's forwards (the events a member hands the primary and its peers) carry MAC
     * authenticators instead of signatures (Castro and Liskov, TOCS 2002, section 3.2; Lane 2008,
     * section 4.7: "BFT can use MACs"): one MAC per member of the site, each checking its own
     * entry. Everything that may be relayed stays signed (PbftCertificates#maced says why).
     */
    default boolean authenticates() {
        return false;
    }

    /** The authenticator of {@code message}: for each of {@code members} in order, the MAC under the key this node shares with it. */
    default Bytes authenticator(List<N> members, Bytes message) {
        throw new UnsupportedOperationException("no authenticators");
    }

    /** Whether entry {@code index} of {@code authenticator} (this node's) is {@code signer}'s MAC of {@code message} for this node. */
    default boolean checkAuthenticator(N signer, Bytes message, Bytes authenticator, int index) {
        return false;
    }

    /** Bytes of one MAC in an authenticator: 128 bits, as PBFT's. */
    int MAC_BYTES = 16;

    /** HMAC-SHA256 of {@code message} under {@code key}. */
    static byte[] mac(byte[] key, Bytes message) {
        return HmacSha256.mac(key, message);
    }

    /** Gives each node of a deployment its keys; a factory holds one of these for all its cores. */
    interface Provider {
        <N> NodeKeys<N> forNode(N self);
    }

    /**
     * Server keys from a {@link KeyDirectory}, for PBFT among the servers of a site. Sites sign
     * with {@link LmProofKeys} instead: a key every server of a site holds would let one faulty
     * server sign for the site.
     */
    static Provider fromDirectory(KeyDirectory directory) {
        return fromDirectory(directory, false);
    }

    /**
     * As above; with {@code forwardAuthenticators} (and a scheme with key agreement) forwards carry
     * MAC authenticators: HMAC-SHA256 cut to {@link #MAC_BYTES}, keyed per pair of servers by a
     * hash of their key agreement, so no key is dealt beyond the signature keys.
     */
    static Provider fromDirectory(KeyDirectory directory, boolean forwardAuthenticators) {
        return new Provider() {
            @Override
            public <N> NodeKeys<N> forNode(N self) {
                if (!(self instanceof ServerId s)) throw new IllegalArgumentException("no server key for " + self + "; sites sign with LmProofKeys");
                Bytes privateKey = directory.server(s).privateKey();
                // Retransmitted and relayed messages carry signatures this member already checked.
                VerifiedSignatures verified = new VerifiedSignatures(8_192);
                return new NodeKeys<>() {
                    @Override
                    public Bytes sign(Bytes message) {
                        return directory.scheme().sign(privateKey, message);
                    }

                    @Override
                    public boolean verify(N signer, Bytes message, Bytes signature) {
                        return verified.verify(directory, signer, message, signature);
                    }

                    // Pairwise keys, derived once per peer; only this node's core (one thread) uses them.
                    private final Map<ServerId, byte[]> macKeys = new TreeMap<>();

                    @Override
                    public boolean authenticates() {
                        return forwardAuthenticators && directory.scheme().agrees();
                    }

                    @Override
                    public Bytes authenticator(List<N> members, Bytes message) {
                        byte[] out = new byte[MAC_BYTES * members.size()];
                        for (int i = 0; i < members.size(); i++) {
                            if (members.get(i).equals(self)) continue; // our own entry is never checked
                            System.arraycopy(mac(macKey((ServerId) members.get(i)), message), 0, out, i * MAC_BYTES, MAC_BYTES);
                        }
                        return Bytes.wrap(out);
                    }

                    @Override
                    public boolean checkAuthenticator(N signer, Bytes message, Bytes authenticator, int index) {
                        if (!(signer instanceof ServerId peer) || peer.equals(s) || index < 0
                                || authenticator.length() < (index + 1) * MAC_BYTES || directory.publicKeyOf(peer).isEmpty()) {
                            return false;
                        }
                        byte[] expected = mac(macKey(peer), message);
                        return java.security.MessageDigest.isEqual(java.util.Arrays.copyOf(expected, MAC_BYTES),
                                java.util.Arrays.copyOfRange(authenticator.unsafeArray(), index * MAC_BYTES, (index + 1) * MAC_BYTES));
                    }

                    private byte[] macKey(ServerId peer) {
                        return macKeys.computeIfAbsent(peer, p -> {
                            Bytes shared = directory.scheme().agree(privateKey, directory.publicKeyOf(p).orElseThrow());
                            boolean selfFirst = s.compareTo(p) < 0;
                            return Digests.sha256(new CanonicalWriter().utf8("redoubt/pbft-mac/v1").bytes(shared)
                                    .server(selfFirst ? s : p).server(selfFirst ? p : s).toBytes()).toArray();
                        });
                    }
                };
            }
        };
    }
}
