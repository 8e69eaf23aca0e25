package io.redoubt.bft;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/** Test outbox: records every output of a core, in the order the core produced it. */
final class RecordingOutbox<N> implements Outbox<N> {

    sealed interface Event permits Sent, TimerSet, TimerCancelled, Persisted, Delivered, Rejected {}

    record Sent<T>(T to, PbftMessage message) implements Event {}

    record TimerSet(TimerId id, long delayMillis) implements Event {}

    record TimerCancelled(TimerId id) implements Event {}

    record Persisted(PbftRecord record, Bytes encoded) implements Event {}

    record Delivered(long slot, List<Bytes> payloads) implements Event {}

    record Rejected<T>(T from, Rejection reason, String detail) implements Event {}

    private final List<Event> events = new ArrayList<>();
    private final Set<TimerId> armed = new TreeSet<>();
    private Consumer<Event> listener = e -> { };

    RecordingOutbox<N> onEvent(Consumer<Event> l) {
        this.listener = l;
        return this;
    }

    private void record(Event e) {
        events.add(e);
        listener.accept(e);
    }

    @Override
    public void send(N to, Encodable message) {
        if (!(message instanceof PbftMessage m)) throw new AssertionError("core sent a non-PBFT message: " + message);
        if (to == null) throw new AssertionError("core sent to null: " + message);
        record(new Sent<>(to, m));
    }

    @Override
    public void setTimer(TimerId id, long delayMillis) {
        if (delayMillis <= 0) throw new AssertionError("non-positive timer delay " + delayMillis + " for " + id);
        armed.add(id);
        record(new TimerSet(id, delayMillis));
    }

    @Override
    public void cancelTimer(TimerId id) {
        armed.remove(id);
        record(new TimerCancelled(id));
    }

    @Override
    public void persist(Encodable rec) {
        if (!(rec instanceof PbftRecord r)) throw new AssertionError("core persisted a non-PBFT record: " + rec);
        record(new Persisted(r, r.encode()));
    }

    @Override
    public void deliver(long slot, List<Bytes> payloads) {
        record(new Delivered(slot, List.copyOf(payloads)));
    }

    @Override
    public void reject(N from, Rejection reason, String detail) {
        record(new Rejected<>(from, reason, detail));
    }

    boolean isArmed(TimerId id) {
        return armed.contains(id);
    }

    void fired(TimerId id) {
        armed.remove(id);
    }

    List<Event> events() {
        return Collections.unmodifiableList(events);
    }

    int mark() {
        return events.size();
    }

    List<Event> since(int mark) {
        return List.copyOf(events.subList(mark, events.size()));
    }

    <M extends PbftMessage> List<M> sentMessages(Class<M> type) {
        List<M> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Sent<?> s && type.isInstance(s.message())) out.add(type.cast(s.message()));
        return out;
    }

    List<Delivered> deliveries() {
        List<Delivered> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Delivered d) out.add(d);
        return out;
    }

    List<PbftRecord> persistedRecords() {
        List<PbftRecord> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Persisted p) out.add(p.record());
        return out;
    }

    @SuppressWarnings("unchecked")
    List<Rejected<N>> rejections() {
        List<Rejected<N>> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Rejected<?> r) out.add((Rejected<N>) r);
        return out;
    }

    List<Rejection> rejectionReasons() {
        List<Rejection> out = new ArrayList<>();
        for (Rejected<N> r : rejections()) out.add(r.reason());
        return out;
    }
}
