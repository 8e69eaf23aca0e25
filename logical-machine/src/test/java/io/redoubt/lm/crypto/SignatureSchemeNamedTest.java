package io.redoubt.lm.crypto;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignatureSchemeNamedTest {

    @Test
    void knownNamesResolveToTheirSingletons() {
        assertSame(Ed25519Scheme.INSTANCE, SignatureScheme.named("ed25519"));
        assertSame(SimulatedScheme.INSTANCE, SignatureScheme.named("simulated"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa", "", "ED25519", "Simulated", " ed25519", "ed25519 "})
    void unknownNamesAreRejectedWithAMessageListingTheValidOnes(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SignatureScheme.named(name));
        String m = e.getMessage();
        assertTrue(m.contains("ed25519"), m);
        assertTrue(m.contains("simulated"), m);
        assertTrue(m.contains("'" + name + "'"), m);
    }
}
