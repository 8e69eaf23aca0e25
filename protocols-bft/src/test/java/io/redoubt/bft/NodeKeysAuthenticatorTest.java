package io.redoubt.bft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * MAC authenticators among a site's servers (issue 16; Castro and Liskov, TOCS 2002, section 3.2):
 * each server holds only its own private key, as loaded from keygen's files, and still shares a
 * MAC key with each peer, agreed from their signature key pairs.
 */
class NodeKeysAuthenticatorTest {
    private static final SignatureScheme ED25519 = SignatureScheme.named("ed25519");
    private static final List<ServerId> SITE = List.of(ServerId.of(0, 0), ServerId.of(0, 1), ServerId.of(0, 2), ServerId.of(0, 3));

    /** Each server's keys from a directory holding everyone's public keys and only its own private key. */
    private static NodeKeys<ServerId> loaded(ServerId who, boolean authenticators) {
        KeyDirectory dealer = KeyDirectory.derived(ED25519, Bytes.ofUtf8("authenticator-test"));
        TreeMap<ServerId, Bytes> publics = new TreeMap<>();
        for (ServerId s : SITE) publics.put(s, dealer.server(s).publicKey());
        KeyDirectory.PublicKeys everyone = new KeyDirectory.PublicKeys(publics, new TreeMap<>(), new TreeMap<>());
        KeyDirectory own = KeyDirectory.loaded(ED25519, everyone, Map.of(who, dealer.server(who).privateKey()));
        return NodeKeys.fromDirectory(own, authenticators).forNode(who);
    }

    @Test
    void eachMemberChecksItsOwnEntryAndNoOtherMemberCanPassForTheSender() {
        List<NodeKeys<ServerId>> keys = new ArrayList<>();
        for (ServerId s : SITE) keys.add(loaded(s, true));
        Bytes message = Bytes.ofUtf8("commit v=0 n=7");
        Bytes auth = keys.get(1).authenticator(SITE, message);
        assertEquals(SITE.size() * NodeKeys.MAC_BYTES, auth.length());
        for (int i = 0; i < SITE.size(); i++) {
            if (i == 1) continue;
            assertTrue(keys.get(i).checkAuthenticator(SITE.get(1), message, auth, i), "member " + i + " accepts 1's MAC");
            assertFalse(keys.get(i).checkAuthenticator(SITE.get(1), Bytes.ofUtf8("commit v=0 n=8"), auth, i), "another message");
            assertFalse(keys.get(i).checkAuthenticator(SITE.get(1), message, auth, (i + 1) % SITE.size()), "another member's entry");
            int other = i == 2 ? 3 : 2;
            assertFalse(keys.get(i).checkAuthenticator(SITE.get(other), message, auth, i), "1's MAC does not pass for " + other + "'s");
        }
        // Member 3 could have computed only the entries of the keys it shares: it cannot forge 1's MAC for 2.
        Bytes forged = keys.get(3).authenticator(SITE, message);
        assertFalse(keys.get(2).checkAuthenticator(SITE.get(1), message, forged, 2));
        assertFalse(keys.get(2).checkAuthenticator(SITE.get(1), message, Bytes.wrap(new byte[3]), 2), "too short");
    }

    @Test
    void offByDefault() {
        assertFalse(loaded(SITE.get(0), false).authenticates());
        assertTrue(loaded(SITE.get(0), true).authenticates());
        assertFalse(NodeKeys.fromDirectory(KeyDirectory.derived(ED25519, Bytes.ofUtf8("x"))).forNode(SITE.get(0)).authenticates());
    }
}
