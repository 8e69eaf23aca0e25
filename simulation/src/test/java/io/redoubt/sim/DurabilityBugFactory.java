package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.CoreFactory;
import io.redoubt.lm.core.ForwardingOutbox;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.TimerId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Test code only: a correct ordering core (Paxos or PBFT) whose host side of the persist rule is
 * broken (Outbox: a record must be durable before any send issued after it leaves). Two bugs:
 * <ul>
 *   <li>{@link Bug#SENDS_BEFORE_PERSISTING}: the records the predicate picks are persisted only
 *       when the core's input call returns, after every send of that step: an acceptor that
 *       tells the others what it accepted before writing it down;</li>
 *   <li>{@link Bug#NEVER_PERSISTS}: those records are never persisted.</li>
 * </ul>
 * The core itself is the production code; only what reaches stable storage, and when, changes.
 */
final class DurabilityBugFactory implements CoreFactory {
    enum Bug { SENDS_BEFORE_PERSISTING, NEVER_PERSISTS }

    private final CoreFactory inner;
    private final Bug bug;
    private final String name;
    private final Predicate<Encodable> records;
    private final AtomicLong misplaced = new AtomicLong();

    /** {@code name} is the planted code's name in reports and replay commands. */
    DurabilityBugFactory(CoreFactory inner, Bug bug, String name, Predicate<Encodable> records) {
        this.inner = inner;
        this.bug = bug;
        this.name = name;
        this.records = records;
    }

    @Override
    public String protocolName() {
        return name;
    }

    /** Records persisted late or dropped, in every run built from this factory. */
    long misplacedRecords() {
        return misplaced.get();
    }

    @Override
    public <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted) {
        LateOutbox<N> late = new LateOutbox<>(out);
        return new Flushing<>(inner.create(members, self, late, persisted), late);
    }

    private final class LateOutbox<N> extends ForwardingOutbox<N> {
        final List<Encodable> held = new ArrayList<>();

        LateOutbox(Outbox<N> inner) {
            super(inner);
        }

        @Override
        public void persist(Encodable record) {
            if (!records.test(record)) {
                inner.persist(record);
                return;
            }
            misplaced.incrementAndGet();
            if (bug == Bug.SENDS_BEFORE_PERSISTING) held.add(record); // the bug: written after this step's sends
        }

        void flush() {
            for (Encodable r : held) inner.persist(r);
            held.clear();
        }
    }

    /** The core, with the held records written when each input call returns. */
    private static final class Flushing<N> implements OrderingCore<N> {
        private final OrderingCore<N> core;
        private final LateOutbox<N> out;

        Flushing(OrderingCore<N> core, LateOutbox<N> out) {
            this.core = core;
            this.out = out;
        }

        @Override
        public void start() {
            core.start();
            out.flush();
        }

        @Override
        public void onMessage(N from, Bytes message) {
            core.onMessage(from, message);
            out.flush();
        }

        @Override
        public void onMessage(N from, Bytes message, Bytes transportProof) {
            core.onMessage(from, message, transportProof);
            out.flush();
        }

        @Override
        public void onTimer(TimerId id) {
            core.onTimer(id);
            out.flush();
        }

        @Override
        public void submit(Bytes payload) {
            core.submit(payload);
            out.flush();
        }

        @Override
        public boolean isLeader() {
            return core.isLeader();
        }

        @Override
        public N leader() {
            return core.leader();
        }

        @Override
        public long view() {
            return core.view();
        }

        @Override
        public long deliveredThrough() {
            return core.deliveredThrough();
        }

        @Override
        public int pendingCount() {
            return core.pendingCount();
        }

        @Override
        public String describe() {
            return core.describe();
        }

        @Override
        public void checkInvariants() {
            core.checkInvariants();
        }

        @Override
        public Bytes stateDigest() {
            return core.stateDigest();
        }
    }
}
