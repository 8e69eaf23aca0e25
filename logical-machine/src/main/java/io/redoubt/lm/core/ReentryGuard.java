package io.redoubt.lm.core;

import io.redoubt.lm.Bytes;

/**
 * Enforces the no-re-entry rule of {@link OrderingCore}: while one input of a core runs, nothing
 * its outputs trigger may hand the same core another input. A host queues such inputs and feeds
 * them after the call returns (the server does, for events to order). Read-only queries
 * ({@link #isLeader()}, {@link #leader()}, ...) stay allowed. A broken rule is our own bug, so it
 * throws at once, naming both inputs; every server wraps its cores in this guard, so every
 * simulated step checks the rule.
 */
public final class ReentryGuard<N> implements OrderingCore<N> {
    private final OrderingCore<N> core;
    private String running;

    public ReentryGuard(OrderingCore<N> core) {
        this.core = core;
    }

    private void enter(String input) {
        if (running != null) {
            throw new IllegalStateException("re-entrant " + input + " while " + running + " runs in " + core.getClass().getSimpleName()
                    + ": an output called back into its own core; queue the input and feed it after the call returns");
        }
        running = input;
    }

    @Override
    public void start() {
        enter("start()");
        try {
            core.start();
        } finally {
            running = null;
        }
    }

    @Override
    public void onMessage(N from, Bytes message) {
        enter("onMessage()");
        try {
            core.onMessage(from, message);
        } finally {
            running = null;
        }
    }

    @Override
    public void onMessage(N from, Bytes message, Bytes transportProof) {
        enter("onMessage()");
        try {
            core.onMessage(from, message, transportProof);
        } finally {
            running = null;
        }
    }

    @Override
    public void onTimer(TimerId id) {
        enter("onTimer(" + id + ")");
        try {
            core.onTimer(id);
        } finally {
            running = null;
        }
    }

    @Override
    public void submit(Bytes payload) {
        enter("submit()");
        try {
            core.submit(payload);
        } finally {
            running = null;
        }
    }

    @Override
    public java.util.List<Bytes> payloadsToAdmit(N from, Bytes message) {
        return core.payloadsToAdmit(from, message);
    }

    @Override
    public boolean deliversOnlyAdmitted() {
        return core.deliversOnlyAdmitted();
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

    @Override
    public long slotsHeld() {
        return core.slotsHeld();
    }

    @Override
    public boolean writesSnapshots() {
        return core.writesSnapshots();
    }

    @Override
    public void writeSnapshot(io.redoubt.lm.codec.CanonicalWriter w) {
        core.writeSnapshot(w);
    }

    @Override
    public void readSnapshot(io.redoubt.lm.codec.CanonicalReader r) throws io.redoubt.lm.codec.DecodeException {
        enter("readSnapshot()");
        try {
            core.readSnapshot(r);
        } finally {
            running = null;
        }
    }

    @Override
    public boolean compactsWithSnapshots() {
        return core.compactsWithSnapshots();
    }

    @Override
    public Bytes baseAfter(long slot) {
        return core.baseAfter(slot);
    }

    @Override
    public long snapshotAnchor() {
        return core.snapshotAnchor();
    }

    @Override
    public boolean acceptsBase(Bytes base) {
        return core.acceptsBase(base);
    }

    @Override
    public boolean canInstallSnapshot(long slot) {
        return core.canInstallSnapshot(slot);
    }

    @Override
    public Bytes certifiedState(long slot) {
        return core.certifiedState(slot);
    }

    @Override
    public boolean certifiesState() {
        return core.certifiesState();
    }

    @Override
    public void installSnapshot(long slot, Bytes base) {
        enter("installSnapshot()");
        try {
            core.installSnapshot(slot, base);
        } finally {
            running = null;
        }
    }

    @Override
    public java.util.List<Bytes> recordsAfterSnapshot(long slot, Bytes base) {
        return core.recordsAfterSnapshot(slot, base);
    }

    /** The guarded core. */
    public OrderingCore<N> inner() {
        return core;
    }
}
