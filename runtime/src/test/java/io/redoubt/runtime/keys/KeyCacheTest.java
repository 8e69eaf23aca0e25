package io.redoubt.runtime.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys of a local run are made once per deployment shape and kept (issue 16: the dealer runs once, not at every start). */
class KeyCacheTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private static final Deployment PAXOS = Deployment.defaults(Composition.parse("paxos/paxos"), 3, 3);

    private static KeyGen.Options options(int clients) {
        return KeyGen.Options.defaults(clients).withInsecureSmallThresholdKeys(true);
    }

    @Test
    void theSecondRunOfAShapeUsesTheFirstRunsKeys(@TempDir Path root) throws Exception {
        KeyCache.Entry first = KeyCache.ensure(root, PAXOS, 1, options(1), NOW);
        assertFalse(first.reused());
        byte[] publicKeys = Files.readAllBytes(KeyFiles.publicKeysFile(first.dir()));
        KeyCache.Entry second = KeyCache.ensure(root, PAXOS, 1, options(1), NOW.plus(Duration.ofDays(30)));
        assertTrue(second.reused());
        assertEquals(first.dir(), second.dir());
        assertEquals(-1, java.util.Arrays.mismatch(publicKeys, Files.readAllBytes(KeyFiles.publicKeysFile(second.dir()))), "the same keys");
        try (Stream<Path> entries = Files.list(root)) {
            assertEquals(1, entries.count(), "one entry, no scratch directory left behind");
        }
    }

    @Test
    void anotherShapeGetsItsOwnKeys() {
        String base = KeyCache.entryName(PAXOS, 1);
        assertEquals(base, KeyCache.entryName(PAXOS.toBuilder().wanLatencyMicros(1).build(), 1), "timing settings are not part of the keys");
        for (String other : List.of(KeyCache.entryName(PAXOS, 2), KeyCache.entryName(PAXOS.toBuilder().sites(4).build(), 1),
                KeyCache.entryName(Deployment.defaults(Composition.parse("paxos/bft"), 3, 4), 1),
                KeyCache.entryName(Deployment.defaults(Composition.parse("paxos/bft"), 3, 4).toBuilder().thresholdKeyBits(1024).build(), 1))) {
            assertNotEquals(base, other);
        }
    }

    @Test
    void anEntryTooOldOrLeftHalfMadeIsMadeAgain(@TempDir Path root) throws Exception {
        KeyCache.Entry first = KeyCache.ensure(root, PAXOS, 1, options(1), NOW);
        byte[] before = Files.readAllBytes(KeyFiles.publicKeysFile(first.dir()));
        KeyCache.Entry later = KeyCache.ensure(root, PAXOS, 1, options(1), NOW.plus(KeyCache.MAX_AGE).plus(Duration.ofDays(1)));
        assertFalse(later.reused(), "its certificates would soon run out");
        assertNotEquals(-1, java.util.Arrays.mismatch(before, Files.readAllBytes(KeyFiles.publicKeysFile(later.dir()))), "new keys");

        Files.delete(later.dir().getParent().resolve("complete")); // as if a run stopped while generating
        assertFalse(KeyCache.ensure(root, PAXOS, 1, options(1), NOW).reused());
    }
}
