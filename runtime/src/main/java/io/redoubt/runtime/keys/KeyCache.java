package io.redoubt.runtime.keys;

import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.sign.LmKeyring;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Keys for {@code bin/redoubt local} runs that name no {@code --keys}: generated once per
 * deployment shape and kept, so the threshold dealer (two safe primes per Byzantine site, which
 * can take minutes at 2048 bits) runs once, not at every start (issue 16). An entry is keyed by
 * what keygen's output depends on: each site's servers, f and signing kind, the threshold-RSA
 * modulus size and the clients per site. Entries are made in a scratch directory and moved into
 * place whole, so a run that stops half-way leaves nothing that looks complete; an entry older than
 * {@link #MAX_AGE} is made again before its year-long TLS certificates run out.
 *
 * <p>For one machine's local runs only: a real deployment's keys come from {@code keygen}, made
 * where the operator chooses and handed to each server.
 */
public final class KeyCache {
    /** Entries older than this are generated again (keygen's certificates are valid a year). */
    public static final Duration MAX_AGE = Duration.ofDays(300);
    private static final String COMPLETE = "complete";

    /** Where the keys are, and whether an earlier run made them. */
    public record Entry(Path dir, boolean reused) {}

    private KeyCache() {}

    /**
     * The cache's root: {@code $REDOUBT_KEY_CACHE} if set, else {@code $XDG_CACHE_HOME/redoubt/keys},
     * else {@code ~/.cache/redoubt/keys}.
     */
    public static Path defaultRoot() {
        String own = System.getenv("REDOUBT_KEY_CACHE");
        if (own != null && !own.isBlank()) return Path.of(own);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("redoubt").resolve("keys");
    }

    /** The entry name for {@code deployment} with {@code clientsPerSite} clients per site: a digest of the key shape. */
    public static String entryName(Deployment deployment, int clientsPerSite) {
        StringBuilder shape = new StringBuilder("redoubt keys v1");
        for (SiteId s : deployment.siteIds()) {
            LmKeyring.SiteSpec spec = deployment.siteSpec(s);
            shape.append('|').append(s.value()).append(':').append(spec.servers()).append('/').append(spec.faults()).append('/').append(spec.kind());
        }
        shape.append("|bits=").append(deployment.thresholdKeyBits()).append("|clients=").append(clientsPerSite);
        Bytes digest = Digests.sha256(Bytes.wrap(shape.toString().getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(digest.toArray(), 0, 12);
    }

    /**
     * The keys for this shape under {@code root}: an earlier run's if complete and younger than
     * {@link #MAX_AGE}, otherwise generated now (and kept).
     */
    public static Entry ensure(Path root, Deployment deployment, int clientsPerSite, KeyGen.Options options, Instant now)
            throws IOException, GeneralSecurityException {
        Path dir = root.resolve(entryName(deployment, clientsPerSite));
        if (usable(dir, now)) return new Entry(dir.resolve("keys"), true);
        Files.createDirectories(root);
        Path scratch = Files.createTempDirectory(root, ".making-");
        try {
            KeyGen.generate(deployment, scratch.resolve("keys"), options);
            Files.writeString(scratch.resolve(COMPLETE), now.toString());
            if (Files.exists(dir)) deleteTree(dir); // incomplete or too old
            try {
                Files.move(scratch, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException raced) {
                if (!usable(dir, now)) throw raced; // another run put a good entry in place first: use it
                return new Entry(dir.resolve("keys"), true);
            }
            return new Entry(dir.resolve("keys"), false);
        } finally {
            if (Files.exists(scratch)) deleteTree(scratch);
        }
    }

    private static boolean usable(Path dir, Instant now) throws IOException {
        Path complete = dir.resolve(COMPLETE);
        if (!Files.isRegularFile(complete) || !Files.exists(KeyFiles.publicKeysFile(dir.resolve("keys")))) return false;
        Instant made;
        try {
            made = Instant.parse(Files.readString(complete).strip());
        } catch (RuntimeException unreadable) {
            return false;
        }
        return !made.plus(MAX_AGE).isBefore(now) && !made.isAfter(now.plus(Duration.ofDays(1)));
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
