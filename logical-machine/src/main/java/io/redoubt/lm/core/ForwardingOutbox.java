package io.redoubt.lm.core;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import java.util.List;

/**
 * An outbox that hands everything to another one: extend it and override what a wrapper changes
 * (adversaries and tests that rewrite or spoil what a correct core sends).
 */
public class ForwardingOutbox<N> implements Outbox<N> {
    protected final Outbox<N> inner;

    public ForwardingOutbox(Outbox<N> inner) {
        this.inner = inner;
    }

    @Override
    public void send(N to, Encodable message) {
        inner.send(to, message);
    }

    @Override
    public void setTimer(TimerId id, long delayMillis) {
        inner.setTimer(id, delayMillis);
    }

    @Override
    public void cancelTimer(TimerId id) {
        inner.cancelTimer(id);
    }

    @Override
    public void persist(Encodable record) {
        inner.persist(record);
    }

    @Override
    public void deliver(long slot, List<Bytes> payloads) {
        inner.deliver(slot, payloads);
    }

    @Override
    public void reject(N from, Rejection reason, String detail) {
        inner.reject(from, reason, detail);
    }

    @Override
    public void accepted(List<Bytes> payloads) {
        inner.accepted(payloads);
    }

    @Override
    public boolean admits(Bytes payload) {
        return inner.admits(payload);
    }

    @Override
    public int lane(Bytes payload) {
        return inner.lane(payload);
    }

    @Override
    public void snapshotNeeded(N from, long compactedThrough) {
        inner.snapshotNeeded(from, compactedThrough);
    }

    @Override
    public Bytes checkpointState(long slot, Bytes base) {
        return inner.checkpointState(slot, base);
    }
}
