package io.redoubt.sim.adversary;

import io.redoubt.bft.PbftMessage;
import io.redoubt.bft.PbftMessage.Checkpoint;
import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.FetchReply;
import io.redoubt.bft.PbftMessage.FetchRequest;
import io.redoubt.bft.PbftMessage.Forward;
import io.redoubt.bft.PbftMessage.NewView;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.bft.PbftMessage.Prepare;
import io.redoubt.bft.PbftMessage.PreparedCertificate;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.sim.net.RandomSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * One small-scope mutation of a decoded PBFT message, as ByzzFuzz (Winter et al., 2023) makes
 * them: exactly one field changes, to a value near the old one (a view, sequence number or
 * stable sequence moved by one to three), to a digest the sender used elsewhere, or, for a list
 * (batch contents, certificate entries), by dropping, swapping or replacing one entry. The
 * result stays within the decoder's bounds, so it reaches the receiving core's checks rather
 * than its decoder. The signature is left as it was: the caller re-signs with its own key.
 */
public final class PbftMutation {
    /** The mutated message (old signature) and the field that changed, e.g. {@code Prepare.view}. */
    public record Mutated(PbftMessage message, String field) {}

    private PbftMutation() {}

    /**
     * A copy of {@code m} with one field changed, or null when no field of it can change (an
     * empty list only, which no message consists of). {@code digests} are digests the sender
     * used before, preferred as replacements because they are plausible.
     */
    public static Mutated mutate(PbftMessage m, RandomSource r, List<Bytes> digests) {
        List<Mutated> options = new ArrayList<>();
        String type = m.getClass().getSimpleName() + ".";
        if (m instanceof PrePrepare p) {
            options.add(new Mutated(new PrePrepare(near(p.view(), 0, r), p.sequence(), p.batchDigest(), p.replica(), p.batch(), p.signature()), type + "view"));
            options.add(new Mutated(new PrePrepare(p.view(), near(p.sequence(), 0, r), p.batchDigest(), p.replica(), p.batch(), p.signature()), type + "sequence"));
            options.add(new Mutated(new PrePrepare(p.view(), p.sequence(), otherDigest(p.batchDigest(), r, digests), p.replica(), p.batch(), p.signature()),
                    type + "batchDigest"));
            List<Bytes> batch = list(p.batch(), r);
            if (batch != null) options.add(new Mutated(new PrePrepare(p.view(), p.sequence(), p.batchDigest(), p.replica(), batch, p.signature()), type + "batch"));
        } else if (m instanceof Prepare p) {
            options.add(new Mutated(new Prepare(near(p.view(), 0, r), p.sequence(), p.batchDigest(), p.replica(), p.signature()), type + "view"));
            options.add(new Mutated(new Prepare(p.view(), near(p.sequence(), 0, r), p.batchDigest(), p.replica(), p.signature()), type + "sequence"));
            options.add(new Mutated(new Prepare(p.view(), p.sequence(), otherDigest(p.batchDigest(), r, digests), p.replica(), p.signature()), type + "batchDigest"));
        } else if (m instanceof Commit c) {
            options.add(new Mutated(new Commit(near(c.view(), 0, r), c.sequence(), c.batchDigest(), c.replica(), c.signature()), type + "view"));
            options.add(new Mutated(new Commit(c.view(), near(c.sequence(), 0, r), c.batchDigest(), c.replica(), c.signature()), type + "sequence"));
            options.add(new Mutated(new Commit(c.view(), c.sequence(), otherDigest(c.batchDigest(), r, digests), c.replica(), c.signature()), type + "batchDigest"));
        } else if (m instanceof Checkpoint c) {
            options.add(new Mutated(new Checkpoint(near(c.sequence(), 0, r), c.stateDigest(), c.replica(), c.signature()), type + "sequence"));
            options.add(new Mutated(new Checkpoint(c.sequence(), otherCheckpointDigest(c.stateDigest(), r, digests), c.replica(), c.signature()), type + "stateDigest"));
        } else if (m instanceof ViewChange v) {
            options.add(new Mutated(new ViewChange(near(v.view(), 0, r), v.stableSequence(), v.stableProof(), v.prepared(), v.replica(), v.signature()),
                    type + "view"));
            options.add(new Mutated(new ViewChange(v.view(), near(v.stableSequence(), -1, r), v.stableProof(), v.prepared(), v.replica(), v.signature()),
                    type + "stableSequence"));
            List<Checkpoint> proof = list(v.stableProof(), r);
            if (proof != null) options.add(new Mutated(new ViewChange(v.view(), v.stableSequence(), proof, v.prepared(), v.replica(), v.signature()),
                    type + "stableProof"));
            List<PreparedCertificate> prepared = list(v.prepared(), r);
            if (prepared != null) options.add(new Mutated(new ViewChange(v.view(), v.stableSequence(), v.stableProof(), prepared, v.replica(), v.signature()),
                    type + "prepared"));
            // One certificate's entries: a prepare dropped, swapped or replaced inside it.
            if (!v.prepared().isEmpty()) {
                int i = r.nextInt(v.prepared().size());
                PreparedCertificate cert = v.prepared().get(i);
                List<Prepare> prepares = list(cert.prepares(), r);
                if (prepares != null) {
                    List<PreparedCertificate> certs = new ArrayList<>(v.prepared());
                    certs.set(i, new PreparedCertificate(cert.prePrepare(), prepares));
                    options.add(new Mutated(new ViewChange(v.view(), v.stableSequence(), v.stableProof(), List.copyOf(certs), v.replica(), v.signature()),
                            type + "prepared.prepares"));
                }
            }
        } else if (m instanceof NewView n) {
            options.add(new Mutated(new NewView(near(n.view(), 0, r), n.viewChanges(), n.prePrepares(), n.replica(), n.signature()), type + "view"));
            List<ViewChange> changes = list(n.viewChanges(), r);
            if (changes != null) options.add(new Mutated(new NewView(n.view(), changes, n.prePrepares(), n.replica(), n.signature()), type + "viewChanges"));
            List<PrePrepare> prePrepares = list(n.prePrepares(), r);
            if (prePrepares != null) options.add(new Mutated(new NewView(n.view(), n.viewChanges(), prePrepares, n.replica(), n.signature()), type + "prePrepares"));
        } else if (m instanceof Forward f) {
            List<Bytes> payloads = list(f.payloads(), r);
            if (payloads != null) options.add(new Mutated(new Forward(payloads, f.replica(), f.signature()), type + "payloads"));
        } else if (m instanceof FetchRequest f) {
            options.add(new Mutated(new FetchRequest(near(f.fromSequence(), 0, r), f.view(), f.stableSequence(), f.replica(), f.signature()),
                    type + "fromSequence"));
            options.add(new Mutated(new FetchRequest(f.fromSequence(), near(f.view(), 0, r), f.stableSequence(), f.replica(), f.signature()), type + "view"));
            options.add(new Mutated(new FetchRequest(f.fromSequence(), f.view(), near(f.stableSequence(), -1, r), f.replica(), f.signature()),
                    type + "stableSequence"));
        } else if (m instanceof FetchReply f) {
            options.add(new Mutated(new FetchReply(near(f.fromSequence(), 0, r), f.proofs(), f.replica(), f.signature()), type + "fromSequence"));
            List<PbftMessage.SlotProof> proofs = list(f.proofs(), r);
            if (proofs != null) options.add(new Mutated(new FetchReply(f.fromSequence(), proofs, f.replica(), f.signature()), type + "proofs"));
        }
        return options.isEmpty() ? null : options.get(r.nextInt(options.size()));
    }

    /** A value one to three away from {@code v}, never below {@code min} and never {@code v} itself. */
    static long near(long v, long min, RandomSource r) {
        long delta = 1 + r.nextInt(3);
        long up = v + delta;
        long down = v - delta;
        if (up > PbftMessage.SEQUENCE_MAX) return down; // never near in any honest run; kept decodable
        return r.nextInt(2) == 0 && down >= min ? down : up;
    }

    /** A digest the sender used elsewhere, or a fresh one: 32 bytes either way, never {@code old}. */
    static Bytes otherDigest(Bytes old, RandomSource r, List<Bytes> digests) {
        List<Bytes> others = digests.stream().filter(d -> d.length() == PbftMessage.DIGEST_LENGTH && !d.equals(old)).distinct().toList();
        if (!others.isEmpty() && r.nextInt(4) != 0) return others.get(r.nextInt(others.size()));
        return Digests.sha256(old);
    }

    /**
     * A checkpoint's digest changed. One that certifies a host state beside the chain (64 bytes,
     * among sites: Outbox#checkpointState) has only its chain or only its state changed, so that
     * each part meets its own check; a chain alone is changed as any digest.
     */
    static Bytes otherCheckpointDigest(Bytes old, RandomSource r, List<Bytes> digests) {
        int half = PbftMessage.DIGEST_LENGTH;
        if (old.length() != 2 * half) return otherDigest(old, r, digests);
        byte[] b = old.toArray();
        int from = r.nextInt(2) == 0 ? 0 : half;
        Bytes part = otherDigest(Bytes.wrap(java.util.Arrays.copyOfRange(b, from, from + half)), r, digests);
        System.arraycopy(part.unsafeArray(), 0, b, from, half);
        return Bytes.wrap(b);
    }

    /** One entry dropped, two swapped or one replaced by another; null when none of these changes the list. */
    static <T> List<T> list(List<T> entries, RandomSource r) {
        List<Function<List<T>, List<T>>> ops = new ArrayList<>();
        int n = entries.size();
        if (n == 0) return null;
        int i = r.nextInt(n);
        int j = r.nextInt(n);
        ops.add(l -> {
            List<T> c = new ArrayList<>(l);
            c.remove(i);
            return c;
        });
        if (!Objects.equals(entries.get(i), entries.get(j))) {
            ops.add(l -> {
                List<T> c = new ArrayList<>(l);
                c.set(i, l.get(j));
                c.set(j, l.get(i));
                return c;
            });
            ops.add(l -> {
                List<T> c = new ArrayList<>(l);
                c.set(i, l.get(j));
                return c;
            });
        }
        return List.copyOf(ops.get(r.nextInt(ops.size())).apply(entries));
    }
}
