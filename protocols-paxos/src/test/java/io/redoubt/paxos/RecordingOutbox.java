package io.redoubt.paxos;

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

/**
 * Test outbox: records every output of a core, in the order the core produced it. Sends are kept
 * as typed {@link PaxosMessage}s, persists as {@link PaxosRecord}s together with their canonical
 * encoding (what a host would write to disk and hand back on restart).
 */
final class RecordingOutbox<N> implements Outbox<N> {

    sealed interface Event permits Sent, TimerSet, TimerCancelled, Persisted, Delivered, Rejected {}

    record Sent<T>(T to, PaxosMessage message) implements Event {}

    record TimerSet(TimerId id, long delayMillis) implements Event {}

    record TimerCancelled(TimerId id) implements Event {}

    record Persisted(PaxosRecord record, Bytes encoded) implements Event {}

    record Delivered(long slot, List<Bytes> payloads) implements Event {}

    record Rejected<T>(T from, Rejection reason, String detail) implements Event {}

    private final List<Event> events = new ArrayList<>();
    private final Set<TimerId> armed = new TreeSet<>();
    private Consumer<Event> listener = e -> { };

    /** Called for every event right after it is recorded (the test cluster routes sends with it). */
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
        if (!(message instanceof PaxosMessage m)) throw new AssertionError("core sent a non-Paxos message: " + message);
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
        if (!(rec instanceof PaxosRecord r)) throw new AssertionError("core persisted a non-Paxos record: " + rec);
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

    // ------------------------------------------------------------------ timers

    boolean isArmed(TimerId id) {
        return armed.contains(id);
    }

    /** The host fires a timer once: it is no longer armed (the core may re-arm it while handling it). */
    void fired(TimerId id) {
        armed.remove(id);
    }

    // ------------------------------------------------------------------ queries

    List<Event> events() {
        return Collections.unmodifiableList(events);
    }

    int mark() {
        return events.size();
    }

    List<Event> since(int mark) {
        return List.copyOf(events.subList(mark, events.size()));
    }

    @SuppressWarnings("unchecked")
    List<Sent<N>> sends() {
        List<Sent<N>> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Sent<?> s) out.add((Sent<N>) s);
        return out;
    }

    /** Messages of {@code type} sent (to anyone), in order. */
    <M extends PaxosMessage> List<M> sentMessages(Class<M> type) {
        return messages(events, type);
    }

    /** Messages of {@code type} sent to {@code to}, in order. */
    <M extends PaxosMessage> List<M> sentTo(N to, Class<M> type) {
        List<M> out = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Sent<?> s && s.to().equals(to) && type.isInstance(s.message())) out.add(type.cast(s.message()));
        }
        return out;
    }

    static <M extends PaxosMessage> List<M> messages(List<Event> events, Class<M> type) {
        List<M> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Sent<?> s && type.isInstance(s.message())) out.add(type.cast(s.message()));
        return out;
    }

    List<PaxosRecord> persistedRecords() {
        List<PaxosRecord> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Persisted p) out.add(p.record());
        return out;
    }

    List<Bytes> persistedBytes() {
        List<Bytes> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Persisted p) out.add(p.encoded());
        return out;
    }

    List<Delivered> deliveries() {
        List<Delivered> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Delivered d) out.add(d);
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
