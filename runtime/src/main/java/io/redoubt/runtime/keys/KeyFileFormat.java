package io.redoubt.runtime.keys;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.Digests;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Set;

/**
 * The envelope of every key file, canonical ({@link CanonicalWriter}) so a file has one
 * encoding: utf8 {@value #MAGIC}, i32 version, utf8 kind, the body, then the SHA-256 of all
 * that. The checksum turns a truncated or damaged file into "corrupted" rather than into a key
 * that quietly fails to verify; the kind turns "a client file where a server file belongs" into
 * a clear error. Every length read is bounded.
 */
final class KeyFileFormat {
    static final String MAGIC = "redoubt-keys";
    static final int VERSION = 1;
    /** Bounds a key file before it is read: the public file of 128 sites of 128 servers with 8192-bit keys fits easily. */
    static final long FILE_BYTES_MAX = 16L << 20;

    static final Set<PosixFilePermission> SECRET_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> SECRET_DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> PUBLIC_FILE = PosixFilePermissions.fromString("rw-r--r--");
    static final Set<PosixFilePermission> PUBLIC_DIR = PosixFilePermissions.fromString("rwxr-xr-x");

    private KeyFileFormat() {}

    /** Reads one file's body; {@code body} must consume it exactly. */
    @FunctionalInterface
    interface BodyReader<T> {
        T read(CanonicalReader r) throws DecodeException;
    }

    static Bytes seal(String kind, CanonicalWriter body) {
        CanonicalWriter w = new CanonicalWriter().utf8(MAGIC).i32(VERSION).utf8(kind);
        w.raw(body.toBytes().unsafeArray());
        Bytes content = w.toBytes();
        return new CanonicalWriter().raw(content.unsafeArray()).bytes(Digests.sha256(content)).toBytes();
    }

    static <T> T open(Path file, String kind, String fix, BodyReader<T> body) {
        return open(file, readBounded(file, fix), kind, fix, body);
    }

    /** {@code a} is the content of {@code file}, already read (so a caller can also hash exactly what was parsed). */
    static <T> T open(Path file, byte[] a, String kind, String fix, BodyReader<T> body) {
        if (a.length < 36) throw new KeyFileException(file, "too short to be a key file (" + a.length + " bytes)", fix);
        Bytes content = Bytes.wrap(Arrays.copyOf(a, a.length - 36));
        try {
            CanonicalReader trailer = new CanonicalReader(Bytes.wrap(Arrays.copyOfRange(a, a.length - 36, a.length)));
            CanonicalReader r = new CanonicalReader(content);
            if (!r.utf8(MAGIC.length()).equals(MAGIC)) throw new KeyFileException(file, "not a Redoubt key file", fix);
            if (!trailer.bytes(32).equals(Digests.sha256(content))) {
                throw new KeyFileException(file, "corrupted (its checksum does not match)", fix);
            }
            int version = r.i32();
            if (version != VERSION) {
                throw new KeyFileException(file, "key file version " + version + ", this build reads version " + VERSION,
                        "regenerate the keys with this build's keygen");
            }
            String actualKind = r.utf8(64);
            if (!actualKind.equals(kind)) throw new KeyFileException(file, "holds " + actualKind + ", expected " + kind, fix);
            T value = body.read(r);
            r.expectEnd();
            return value;
        } catch (DecodeException | IllegalArgumentException e) {
            throw new KeyFileException(file, "corrupted (" + e.getMessage() + ")", fix);
        }
    }

    static byte[] readBounded(Path file, String fix) {
        try {
            long size = Files.size(file);
            if (size > FILE_BYTES_MAX) throw new KeyFileException(file, size + " bytes, more than any key file (" + FILE_BYTES_MAX + ")", fix);
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "missing", fix);
        } catch (IOException e) {
            throw new KeyFileException(file, "unreadable (" + e + ")", fix, e);
        }
    }

    /** A secret must be readable by its owner only, as ssh insists for its keys: anyone else may have copied it. */
    static void checkOwnerOnly(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
            for (PosixFilePermission bad : Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE)) {
                if (p.contains(bad)) {
                    throw new KeyFileException(file, "a secret readable or writable by others (" + PosixFilePermissions.toString(p) + ")",
                            "run chmod 600 on it, and regenerate the keys if anyone else could have read it");
                }
            }
        } catch (NoSuchFileException e) {
            throw new KeyFileException(file, "missing", "copy it from the keygen output");
        } catch (IOException e) {
            throw new KeyFileException(file, "unreadable (" + e + ")", "check the file's owner and permissions", e);
        }
    }

    /** Creates {@code file} with {@code permissions} from the start, so a secret is never briefly world-readable. */
    static void write(Path file, byte[] content, Set<PosixFilePermission> permissions) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(permissions));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " already exists", e);
        }
        Files.setPosixFilePermissions(file, permissions); // creation is masked by the umask; make it exact
        Files.write(file, content, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    static Path mkdir(Path dir, Set<PosixFilePermission> permissions) throws IOException {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(permissions));
        Files.setPosixFilePermissions(dir, permissions);
        return dir;
    }
}
