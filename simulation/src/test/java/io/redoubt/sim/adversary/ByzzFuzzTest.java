package io.redoubt.sim.adversary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftConfig;
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
import io.redoubt.bft.PbftMessage.SlotProof;
import io.redoubt.bft.PbftMessage.ViewChange;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.sim.net.RandomSource;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** ByzzFuzz's small-scope mutations: one field changes, the result still decodes, and the faulty sender's signature on it verifies. */
class ByzzFuzzTest {
    static final PbftConfig CONFIG = PbftConfig.localDefaults();
    static final int MEMBERS = 4;
    static final Bytes SIG = Bytes.wrap(new byte[64]);
    static final Bytes D1 = Digests.sha256(bytes("batch one"));
    static final Bytes D2 = Digests.sha256(bytes("state"));

    static Bytes bytes(String s) {
        return Bytes.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    /** One message of every type, each with lists of several distinct entries (batch contents, certificate entries). */
    static List<PbftMessage> samples() {
        List<Bytes> batch = List.of(bytes("p1"), bytes("p2"), bytes("p3"));
        PrePrepare pp = new PrePrepare(3, 10, D1, 0, batch, SIG);
        List<Checkpoint> proof = List.of(new Checkpoint(15, D2, 0, SIG), new Checkpoint(15, D2, 1, SIG), new Checkpoint(15, D2, 2, SIG));
        PreparedCertificate cert = new PreparedCertificate(new PrePrepare(3, 16, D1, 0, batch, SIG),
                List.of(new Prepare(3, 16, D1, 1, SIG), new Prepare(3, 16, D1, 2, SIG)));
        ViewChange vc = new ViewChange(4, 15, proof, List.of(cert), 1, SIG);
        ViewChange vc2 = new ViewChange(4, 15, proof, List.of(), 2, SIG);
        return List.of(pp, new Prepare(3, 10, D1, 1, SIG), new Commit(3, 10, D1, 2, SIG), new Checkpoint(16, D2, 3, SIG), vc,
                new NewView(4, List.of(vc, vc2), List.of(new PrePrepare(4, 16, D1, 0, batch, SIG), new PrePrepare(4, 17, D2, 0, List.of(), SIG)), 0, SIG),
                new Forward(batch, 1, SIG), new FetchRequest(5, 3, 4, 1, SIG),
                new FetchReply(5, List.of(new SlotProof(5, List.of(batch), List.of(), List.of(new Commit(3, 5, D1, 0, SIG), new Commit(3, 5, D1, 1, SIG))),
                        new SlotProof(6, List.of(List.of(bytes("p4"))), List.of(), List.of(new Commit(3, 6, D2, 0, SIG)))), 2, SIG));
    }

    static List<String> changedComponents(PbftMessage a, PbftMessage b) throws ReflectiveOperationException {
        assertEquals(a.getClass(), b.getClass());
        List<String> changed = new ArrayList<>();
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            if (!Objects.equals(c.getAccessor().invoke(a), c.getAccessor().invoke(b))) changed.add(c.getName());
        }
        return changed;
    }

    @Test
    void everyMutationChangesExactlyOneFieldAndDecodes() throws Exception {
        TreeMap<String, Integer> fieldsSeen = new TreeMap<>();
        for (PbftMessage m : samples()) {
            for (long seed = 0; seed < 200; seed++) {
                PbftMutation.Mutated mutated = PbftMutation.mutate(m, new RandomSource(seed), List.of(D1, D2));
                assertNotNull(mutated, m::toString);
                List<String> changed = changedComponents(m, mutated.message());
                assertEquals(1, changed.size(), () -> mutated.field() + ": " + changed);
                assertTrue(mutated.field().startsWith(m.getClass().getSimpleName() + "." + changed.get(0)), mutated.field() + " vs " + changed);
                assertEquals(mutated.message(), PbftMessage.decode(mutated.message().encode(), CONFIG, MEMBERS), mutated.field());
                fieldsSeen.merge(mutated.field(), 1, Integer::sum);
            }
        }
        // Every kind of field ByzzFuzz names is mutated: views, sequence numbers, digests, batch contents, certificate entries.
        for (String f : List.of("PrePrepare.view", "PrePrepare.sequence", "PrePrepare.batchDigest", "PrePrepare.batch", "Prepare.view",
                "Commit.batchDigest", "Checkpoint.stateDigest", "ViewChange.stableProof", "ViewChange.prepared", "ViewChange.prepared.prepares",
                "NewView.viewChanges", "NewView.prePrepares", "Forward.payloads", "FetchRequest.stableSequence", "FetchReply.proofs")) {
            assertTrue(fieldsSeen.containsKey(f), f + " never mutated: " + fieldsSeen.keySet());
        }
    }

    @Test
    void numbersMoveALittleAndStayDecodable() {
        RandomSource r = new RandomSource(1);
        for (int k = 0; k < 1000; k++) {
            long v = PbftMutation.near(0, 0, r);
            assertTrue(v >= 1 && v <= 3, "from 0: " + v);
            long s = PbftMutation.near(-1, -1, r);
            assertTrue(s >= 0 && s <= 2, "from -1: " + s);
            long w = PbftMutation.near(10, 0, r);
            assertTrue(w != 10 && Math.abs(w - 10) <= 3, "from 10: " + w);
        }
    }

    // The wrapped core's messages pass through unchanged but for one per drawn round, re-signed
    // with the sender's own key: well-formed, well-signed, and wrong.
    @Test
    void theCoreMutatesOneMessageAtEachDrawnRoundAndSignsIt() {
        KeyDirectory directory = new KeyDirectory(SignatureScheme.named("simulated"), Bytes.wrap(new byte[8]));
        NodeKeys.Provider provider = NodeKeys.fromDirectory(directory);
        List<ServerId> members = List.of(ServerId.of(0, 0), ServerId.of(0, 1), ServerId.of(0, 2), ServerId.of(0, 3));
        ServerId self = members.get(1);
        NodeKeys<ServerId> keys = provider.forNode(self);
        List<Encodable> delivered = new ArrayList<>();
        List<Long> mutatedAt = new ArrayList<>();
        Outbox<ServerId>[] captured = new Outbox[1];
        CoreFactory inner = new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> m, N s, Outbox<N> out, List<Bytes> persisted) {
                @SuppressWarnings("unchecked") Outbox<ServerId> o = (Outbox<ServerId>) out;
                captured[0] = o;
                return null;
            }
        };
        ByzzFuzzCore.Listener listener = new ByzzFuzzCore.Listener() {
            @Override
            public void round(long round) {}

            @Override
            public void mutated(long round, String field) {
                mutatedAt.add(round);
            }
        };
        long seed = 42;
        new ByzzFuzzCore(inner, provider, seed, listener).create(members, self, recorder(delivered), List.of());
        List<PbftMessage> sent = new ArrayList<>();
        for (long seq = 0; seq <= ByzzFuzzCore.ROUNDS + 5; seq++) {
            Prepare p = new Prepare(0, seq, Digests.sha256(bytes("batch " + seq)), 1, Bytes.EMPTY);
            Prepare signed = p.withSignature(keys.sign(p.signedBytes()));
            sent.add(signed);
            captured[0].send(members.get(0), signed);
        }
        List<Long> drawn = List.copyOf(ByzzFuzzCore.rounds(new RandomSource(seed)));
        assertEquals(drawn, mutatedAt);
        assertEquals(sent.size(), delivered.size());
        int changed = 0;
        for (int i = 0; i < sent.size(); i++) {
            PbftMessage out = (PbftMessage) delivered.get(i);
            if (out.equals(sent.get(i))) continue;
            changed++;
            assertTrue(drawn.contains((long) i), "mutated at sequence " + i + ", drawn " + drawn);
            assertTrue(keys.verify(self, out.signedBytes(), out.signature()), "re-signed with the faulty server's own key");
        }
        assertEquals(drawn.size(), changed);
    }

    static Outbox<ServerId> recorder(List<Encodable> sent) {
        return new Outbox<>() {
            @Override
            public void send(ServerId to, Encodable message) {
                sent.add(message);
            }

            @Override
            public void setTimer(TimerId id, long delayMillis) {}

            @Override
            public void cancelTimer(TimerId id) {}

            @Override
            public void persist(Encodable record) {}

            @Override
            public void deliver(long slot, List<Bytes> payloads) {}

            @Override
            public void reject(ServerId from, Rejection reason, String detail) {}
        };
    }
}
