package io.redoubt.lm.sign;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * CPU-heavy cryptography that a signer describes instead of computing inside an input: what it
 * is, over which root, about which server, and a pure computation over immutable inputs and
 * thread-safe key material. The host decides where it runs (the simulator on its one thread, the
 * Pekko host on a bounded pool off the actor thread) and hands the {@link CryptoResult} back to the
 * server as a later input ({@code ServerNode#onCryptoDone}). So the server stays a pure state
 * machine while a 2048-bit partial (3.2 ms), a proof (10.7 ms) or a proof check (9.0 ms) runs
 * elsewhere.
 *
 * <p>A result may come late (its round dropped, the signature already combined, the server
 * restarted) or not matter any more; the signer matches it to the very job it issued (by
 * identity: ids restart with the server) and ignores the rest.
 */
public final class CryptoJob {
    /** What a job computes; hosts may count or trace by kind. */
    public enum Kind {
        /** This server's share over a root: a threshold partial or a certificate signature (section 3.4.2). */
        SHARE,
        /** The proof of correctness of this server's partial, made when someone asks (Figure 3.10, B6). */
        PROOF,
        /** Whether a server's signed proof shows that its partial is bad (Figure 3.10, B8; also a blame's evidence, B10). */
        CHECK_PROOF
    }

    private final long id;
    private final Kind kind;
    private final Bytes root;
    private final ServerId server;
    private final Supplier<Bytes> compute;     // SHARE, PROOF
    private final BooleanSupplier proofFails;  // CHECK_PROOF

    private CryptoJob(long id, Kind kind, Bytes root, ServerId server, Supplier<Bytes> compute, BooleanSupplier proofFails) {
        this.id = id;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.root = Objects.requireNonNull(root, "root");
        this.server = Objects.requireNonNull(server, "server");
        this.compute = compute;
        this.proofFails = proofFails;
    }

    /** A job that makes bytes ({@link Kind#SHARE} or {@link Kind#PROOF}) of {@code server} over {@code root}. */
    public static CryptoJob making(long id, Kind kind, Bytes root, ServerId server, Supplier<Bytes> compute) {
        if (kind == Kind.CHECK_PROOF) throw new IllegalArgumentException("a check answers yes or no; use checking()");
        return new CryptoJob(id, kind, root, server, Objects.requireNonNull(compute, "compute"), null);
    }

    /** A job that tells whether {@code server}'s proof for its partial over {@code root} fails. */
    public static CryptoJob checking(long id, Bytes root, ServerId server, BooleanSupplier proofFails) {
        return new CryptoJob(id, Kind.CHECK_PROOF, root, server, null, Objects.requireNonNull(proofFails, "proofFails"));
    }

    /** Unique per job among those one signer issued since it started. */
    public long id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public Bytes root() {
        return root;
    }

    /** Whose share or proof: this server's own for SHARE and PROOF, the prover's for CHECK_PROOF. */
    public ServerId server() {
        return server;
    }

    /**
     * Does the work. Pure and thread-safe: any thread may call it, the host calls it once per job.
     * It throws only on our own bug (inputs from other servers are checked, never trusted to parse).
     */
    public CryptoResult run() {
        return kind == Kind.CHECK_PROOF ? new CryptoResult(this, null, proofFails.getAsBoolean()) : new CryptoResult(this, compute.get(), false);
    }

    @Override
    public String toString() {
        return "CryptoJob#" + id + " " + kind + " of " + server + " over " + root;
    }
}
