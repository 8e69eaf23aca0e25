package io.redoubt.lm.testkit;

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
 * Test outbox for any {@link io.redoubt.lm.core.OrderingCore}: records every output, in the order
 * the core produced it, and checks what the contract promises (only the protocol's own messages
 * and records, positive timer delays, no send to nobody). Persists are kept with their canonical
 * encoding, which is what a host would write to disk and hand back on restart.
 *
 * @param <N> node identity type
 * @param <M> the protocol's message type
 * @param <R> the protocol's persisted record type
 */
public class RecordingOutbox<N, M extends Encodable, R extends Encodable> implements Outbox<N> {

    public sealed interface Event permits Sent, TimerSet, TimerCancelled, Persisted, Delivered, Rejected {}

    public record Sent<T>(T to, Encodable message) implements Event {}

    public record TimerSet(TimerId id, long delayMillis) implements Event {}

    public record TimerCancelled(TimerId id) implements Event {}

    public record Persisted(Encodable record, Bytes encoded) implements Event {}

    public record Delivered(long slot, List<Bytes> payloads) implements Event {}

    public record Rejected<T>(T from, Rejection reason, String detail) implements Event {}

    private final Class<M> messageType;
    private final Class<R> recordType;
    private final List<Event> events = new ArrayList<>();
    private final Set<TimerId> armed = new TreeSet<>();
    private Consumer<Event> listener = e -> { };

    protected RecordingOutbox(Class<M> messageType, Class<R> recordType) {
        this.messageType = messageType;
        this.recordType = recordType;
    }

    /** Called for every event right after it is recorded (a test cluster routes sends with it). */
    public void onEvent(Consumer<Event> l) {
        this.listener = l;
    }

    private void record(Event e) {
        events.add(e);
        listener.accept(e);
    }

    @Override
    public void send(N to, Encodable message) {
        if (!messageType.isInstance(message)) throw new AssertionError("core sent a message that is not a " + messageType.getSimpleName() + ": " + message);
        if (to == null) throw new AssertionError("core sent to null: " + message);
        record(new Sent<>(to, message));
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
        if (!recordType.isInstance(rec)) throw new AssertionError("core persisted a record that is not a " + recordType.getSimpleName() + ": " + rec);
        record(new Persisted(rec, rec.encode()));
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

    public boolean isArmed(TimerId id) {
        return armed.contains(id);
    }

    /** The host fires a timer once: it is no longer armed (the core may re-arm it while handling it). */
    public void fired(TimerId id) {
        armed.remove(id);
    }

    // ------------------------------------------------------------------ queries

    public List<Event> events() {
        return Collections.unmodifiableList(events);
    }

    public int mark() {
        return events.size();
    }

    public List<Event> since(int mark) {
        return List.copyOf(events.subList(mark, events.size()));
    }

    @SuppressWarnings("unchecked")
    public List<Sent<N>> sends() {
        List<Sent<N>> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Sent<?> s) out.add((Sent<N>) s);
        return out;
    }

    /** Messages of {@code type} sent (to anyone), in order. */
    public <X extends M> List<X> sentMessages(Class<X> type) {
        return messages(events, type);
    }

    /** Messages of {@code type} sent to {@code to}, in order. */
    public <X extends M> List<X> sentTo(N to, Class<X> type) {
        List<X> out = new ArrayList<>();
        for (Event e : events) {
            if (e instanceof Sent<?> s && s.to().equals(to) && type.isInstance(s.message())) out.add(type.cast(s.message()));
        }
        return out;
    }

    /** Messages of {@code type} among {@code events}, in order. */
    public static <X> List<X> messages(List<Event> events, Class<X> type) {
        List<X> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Sent<?> s && type.isInstance(s.message())) out.add(type.cast(s.message()));
        return out;
    }

    public List<R> persistedRecords() {
        List<R> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Persisted p) out.add(recordType.cast(p.record()));
        return out;
    }

    public List<Bytes> persistedBytes() {
        List<Bytes> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Persisted p) out.add(p.encoded());
        return out;
    }

    /** Each call of {@link #snapshotNeeded}: who no longer keeps the slots, and through which one. */
    public record SnapshotNeeded<T>(T from, long compactedThrough) {}

    private final List<SnapshotNeeded<N>> snapshotsNeeded = new ArrayList<>();

    @Override
    public void snapshotNeeded(N from, long compactedThrough) {
        snapshotsNeeded.add(new SnapshotNeeded<>(from, compactedThrough));
    }

    public List<SnapshotNeeded<N>> snapshotsNeeded() {
        return List.copyOf(snapshotsNeeded);
    }

    public List<Delivered> deliveries() {
        List<Delivered> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Delivered d) out.add(d);
        return out;
    }

    @SuppressWarnings("unchecked")
    public List<Rejected<N>> rejections() {
        List<Rejected<N>> out = new ArrayList<>();
        for (Event e : events) if (e instanceof Rejected<?> r) out.add((Rejected<N>) r);
        return out;
    }

    public List<Rejection> rejectionReasons() {
        List<Rejection> out = new ArrayList<>();
        for (Rejected<N> r : rejections()) out.add(r.reason());
        return out;
    }
}
