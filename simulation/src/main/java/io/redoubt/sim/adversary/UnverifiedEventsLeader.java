package io.redoubt.sim.adversary;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftBehavior;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.bft.PbftMessage;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.LogicalMachine;
import io.redoubt.lm.exec.OrderingRequest;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.paxos.PaxosMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * A faulty local PBFT primary aimed at the logical machine's checks behind the first line: to
 * every batch it proposes it adds one logical-machine event that no correct server would have
 * submitted, since each fails the check a correct server makes at receipt (section 4.3). The
 * events are built from what it has seen ordered: a wide-area message whose content it changed
 * under the original LM signature (with Paxos among sites, a catch-up reply claiming the open
 * global slots decided as no-ops), a real message under another site's name or under its own
 * site's, a client update with a changed operation, another server's Ordering_Request number and
 * signature on another update, an LM timeout with a single expiry notice.
 * The backups check a batch's size and digest only; every correct server must then refuse each
 * event when it executes it, and all alike, or the site's logical machine diverges.
 */
public final class UnverifiedEventsLeader<N> implements PbftBehavior<N> {
    private final Deployment deployment;
    private final PaxosConfig widePaxos;
    private final SiteId site;
    private final ServerId self;
    private LmEvent.WideMessage lastWide;
    /** With BLink, the link header that came with {@link #lastWide}'s message (null with the stand-in). */
    private Bytes lastHeader;
    private SignedUpdate lastUpdate;
    /** The latest Ordering_Request seen (CLink-Order): its number and signature are reused to try to frame its server. */
    private LmEvent.Requested lastRequest;
    private LmEvent.Timeout lastTimeout;
    /** The highest global slot seen in a Paxos message among sites, or -1. */
    private long highestWideSlot = -1;

    private UnverifiedEventsLeader(Deployment deployment, Object self) {
        this.deployment = deployment;
        this.self = self instanceof ServerId id ? id : null;
        this.site = this.self == null ? null : this.self.site();
        this.widePaxos = deployment.composition().wide().byzantine() ? null : deployment.effectiveWidePaxos();
    }


    /** The local tier's core factory of such a primary. */
    public static CoreFactory factory(Deployment d, PbftConfig config, NodeKeys.Provider keys) {
        return new CoreFactory() {
            @Override
            public String protocolName() {
                return "pbft-ordering-unverified-events";
            }

            @Override
            public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
                return new PbftCore<>(config, members, self, out, keys.forNode(self), persisted, new UnverifiedEventsLeader<>(d, self));
            }
        };
    }

    @Override
    public void observe(N from, PbftMessage message, Member<N> member) {
        if (message instanceof PbftMessage.Forward f) f.payloads().forEach(this::learn);
        else if (message instanceof PbftMessage.PrePrepare p) p.batch().forEach(this::learn);
    }

    private void learn(Bytes payload) {
        LmEvent e;
        try {
            e = LmEvent.decode(payload);
        } catch (DecodeException bad) {
            return;
        }
        if (e instanceof LmEvent.LinkMessage l) {
            learnWide(new LmEvent.WideMessage(l.from(), l.envelope()), l.header());
        } else if (e instanceof LmEvent.WideMessage w) {
            learnWide(w, null);
        } else if (e instanceof LmEvent.ClientUpdate u) {
            lastUpdate = u.update();
        } else if (e instanceof LmEvent.Requested r) {
            if (lastRequest != null && !lastRequest.update().equals(r.update())) lastUpdate = lastRequest.update();
            lastRequest = r;
        } else if (e instanceof LmEvent.Timeout t && t.proof().size() > 1) {
            lastTimeout = t;
        }
    }

    private void learnWide(LmEvent.WideMessage w, Bytes header) {
        if (w.envelope().message().length() == 0) return; // BLink's acknowledgement alone: nothing to twist
        lastWide = w;
        lastHeader = header;
        if (widePaxos != null) {
            try {
                PaxosMessage m = PaxosMessage.decode(w.envelope().message(), widePaxos);
                if (m instanceof PaxosMessage.Propose p) highestWideSlot = Math.max(highestWideSlot, p.slot());
                else if (m instanceof PaxosMessage.Accept a) highestWideSlot = Math.max(highestWideSlot, a.slot());
            } catch (DecodeException bad) {
                // not ours to judge
            }
        }
    }

    @Override
    public List<Bytes> batch(long view, long sequence, List<Bytes> batch) {
        batch.forEach(this::learn);
        LmEvent forged = forge(sequence);
        if (forged == null) return batch;
        List<Bytes> out = new ArrayList<>(batch);
        // First in the batch: a forged copy of a message this batch also carries then executes
        // before the real one, so BLink's once-per-number rule does not hide an executor that
        // skips its checks (the real one then arrives as a duplicate).
        out.add(0, (forged instanceof LmEvent.WideMessage w && lastHeader != null
                ? new LmEvent.LinkMessage(w.from(), w.envelope(), lastHeader) : forged).encode());
        return out;
    }

    /** One event that fails a correct server's check, the kind chosen by the slot; null if nothing seen yet to build it from. */
    private LmEvent forge(long sequence) {
        switch ((int) Math.floorMod(sequence, 5L)) {
            case 0 -> {
                if (lastWide == null) return null;
                LmEnvelopePart env = lastWide.envelope();
                Bytes changed;
                if (widePaxos != null && highestWideSlot >= 0) {
                    List<PaxosMessage.SlotReport> noOps = new ArrayList<>();
                    for (long s = Math.max(0, highestWideSlot - 2); s <= highestWideSlot + 3; s++) {
                        noOps.add(new PaxosMessage.SlotReport(s, 0, List.of(), true));
                    }
                    changed = new PaxosMessage.CatchUpReply(highestWideSlot + 3, noOps).encode();
                } else {
                    byte[] b = env.message().unsafeArray().clone();
                    if (b.length == 0) return null;
                    b[b.length / 2] ^= 0x5a;
                    changed = Bytes.wrap(b);
                }
                return new LmEvent.WideMessage(lastWide.from(), new LmEnvelopePart(changed, env.path(), env.signature()));
            }
            case 1 -> {
                if (lastWide == null || deployment.sites() < 3) return null;
                // A real message, signed by its site, said to come from another one.
                int other = (lastWide.from().value() + 1) % deployment.sites();
                if (site != null && other == site.value()) other = (other + 1) % deployment.sites();
                return new LmEvent.WideMessage(new SiteId(other), lastWide.envelope());
            }
            case 2 -> {
                if (lastUpdate == null || self == null) return null;
                if (lastRequest != null && (sequence / 5) % 2 == 1 && !lastUpdate.equals(lastRequest.update())) {
                    // Another server's request number and signature on another real update: were
                    // the executor to take a request unchecked when it conflicts, this would frame
                    // a correct server as an equivocator (the simulator's checkers call that a violation).
                    OrderingRequest r = lastRequest.request();
                    return new LmEvent.Requested(new OrderingRequest(r.server(), r.seq(), LogicalMachine.updateDigest(lastUpdate.encode()),
                            r.signature()), lastUpdate);
                }
                SignedUpdate u = lastUpdate;
                Bytes op = Bytes.ofUtf8("forged:" + u.operation().length());
                SignedUpdate forged = new SignedUpdate(u.client(), u.seq() + 1, op, u.signature());
                if (lastRequest == null) return new LmEvent.ClientUpdate(self, forged);
                // A site that takes client updates only as Ordering_Requests (CLink-Order): the
                // forged update inside a request in our own name, so that it reaches the check of
                // its client signature (the request's own signature is checked only as evidence).
                return new LmEvent.Requested(new OrderingRequest(self, sequence, LogicalMachine.updateDigest(forged.encode()),
                        lastRequest.request().signature()), forged);
            }
            case 3 -> {
                if (lastTimeout == null) return null;
                return new LmEvent.Timeout(lastTimeout.timer(), lastTimeout.generation(), List.of(lastTimeout.proof().get(0)));
            }
            default -> {
                if (lastWide == null) return null;
                LmEnvelopePart env = lastWide.envelope();
                if (site != null && !site.equals(lastWide.from())) {
                    // A message from another site relabelled as our own: refused for its origin whatever its signature.
                    return new LmEvent.WideMessage(site, env);
                }
                byte[] sig = env.signature().value().unsafeArray().clone();
                if (sig.length == 0) return null;
                sig[0] ^= 1;
                return new LmEvent.WideMessage(lastWide.from(), new LmEnvelopePart(env.message(), env.path(),
                        new LmSignature(env.signature().scheme(), Bytes.wrap(sig))));
            }
        }
    }
}
