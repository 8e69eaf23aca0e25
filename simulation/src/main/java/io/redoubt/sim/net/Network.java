package io.redoubt.sim.net;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Simulated datagram network between endpoints of type {@code E}. Frames are serialised onto
 * bandwidth-limited pipes (several endpoint pairs may share one, like the servers of a site
 * sharing its WAN uplink), then delayed by latency plus jitter, and may be lost, duplicated or
 * cut off by partitions and crashed endpoints. All randomness comes from one {@link RandomSource},
 * drawn in a fixed order per send, so a run is reproducible from its seed.
 *
 * <p>Draw order per {@link #send}: loss, jitter, duplication, duplicate's jitter; each is drawn
 * only if the link's spec makes it non-trivial, so clean links consume no randomness.
 */
public final class Network<E extends Comparable<E>> {

    /** Static shape of the network: the link properties and the shared pipe of each directed pair. */
    public interface Topology<E> {
        LinkSpec spec(E from, E to);

        /** Key of the bandwidth queue used by from->to; needs stable equals/hashCode (records, strings). */
        Object pipeOf(E from, E to);
    }

    /** Where delivered frames go; runs inside an {@link EventLoop} action at the arrival time. */
    public interface Receiver<E> {
        void receive(E from, E to, byte[] frame);
    }

    /** A serialising queue; only ever looked up by key, never iterated, so a HashMap is deterministic. */
    private static final class Pipe {
        long busyUntilMicros;
        long bytesSent;
    }

    private static final BiPredicate<Object, Object> FULLY_CONNECTED = (a, b) -> true;

    private final EventLoop loop;
    private final RandomSource random;
    private final Topology<E> topology;
    private final Receiver<E> receiver;
    private final Map<Object, Pipe> pipes = new HashMap<>();
    private final TreeSet<E> down = new TreeSet<>();
    private BiPredicate<? super E, ? super E> connectivity = FULLY_CONNECTED;

    private long messagesSent;
    private long messagesDelivered;
    private long messagesDropped;
    private long messagesDuplicated;
    private long bytesSent;
    private long maxQueueDelayMicros;

    public Network(EventLoop loop, RandomSource random, Topology<E> topology, Receiver<E> receiver) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.random = Objects.requireNonNull(random, "random");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.receiver = Objects.requireNonNull(receiver, "receiver");
    }

    /**
     * Sends a copy of {@code frame} from {@code from} to {@code to}. A lost frame still occupies its
     * pipe: the sender cannot know it will be lost, so it costs the same uplink time as any other.
     */
    public void send(E from, E to, byte[] frame) {
        messagesSent++;
        if (!connected(from, to) || isDown(from) || isDown(to)) {
            messagesDropped++;
            return;
        }
        LinkSpec spec = Objects.requireNonNull(topology.spec(from, to), "topology spec");
        Object pipeKey = Objects.requireNonNull(topology.pipeOf(from, to), "topology pipe");
        Pipe pipe = pipes.computeIfAbsent(pipeKey, k -> new Pipe());

        long now = loop.nowMicros();
        long startMicros = Math.max(now, pipe.busyUntilMicros);
        long endMicros = startMicros + transmissionMicros(frame.length, spec.bandwidthBitsPerSecond());
        pipe.busyUntilMicros = endMicros;
        pipe.bytesSent += frame.length;
        bytesSent += frame.length;
        maxQueueDelayMicros = Math.max(maxQueueDelayMicros, startMicros - now);

        if (spec.lossProbability() > 0 && random.chance(spec.lossProbability())) {
            messagesDropped++;
            return;
        }
        long arrivalMicros = endMicros + spec.latencyMicros() + jitter(spec);
        byte[] copy = frame.clone();
        loop.scheduleAt(arrivalMicros, () -> arrive(from, to, copy));
        if (spec.duplicateProbability() > 0 && random.chance(spec.duplicateProbability())) {
            messagesDuplicated++;
            byte[] duplicate = frame.clone();
            loop.scheduleAt(endMicros + spec.latencyMicros() + jitter(spec), () -> arrive(from, to, duplicate));
        }
    }

    /**
     * Re-checks reachability at arrival so that a partition or a crash of the destination that
     * happens while a frame is in flight still drops it. A sender crashing after transmission
     * does not recall frames already on the wire.
     */
    private void arrive(E from, E to, byte[] frame) {
        if (!connected(from, to) || isDown(to)) {
            messagesDropped++;
            return;
        }
        messagesDelivered++;
        receiver.receive(from, to, frame);
    }

    private long jitter(LinkSpec spec) {
        return spec.jitterMicros() > 0 ? random.between(0, spec.jitterMicros()) : 0;
    }

    /** Time to clock {@code bytes} onto a pipe, rounded up so that no frame is free. */
    static long transmissionMicros(long bytes, long bandwidthBitsPerSecond) {
        if (bandwidthBitsPerSecond == 0) return 0;
        long bitMicros = Math.multiplyExact(Math.multiplyExact(bytes, 8L), 1_000_000L);
        return (bitMicros + bandwidthBitsPerSecond - 1) / bandwidthBitsPerSecond;
    }

    /** Installs a connectivity predicate (directed: from, to); frames between unconnected endpoints are dropped. */
    public void partition(BiPredicate<? super E, ? super E> connected) {
        this.connectivity = Objects.requireNonNull(connected, "connected");
    }

    /** Restores full connectivity; frames already dropped stay dropped. */
    public void heal() {
        this.connectivity = FULLY_CONNECTED;
    }

    public boolean connected(E from, E to) {
        return connectivity.test(from, to);
    }

    /** Marks an endpoint crashed (or recovered); crashed endpoints neither send nor receive. */
    public void setDown(E endpoint, boolean isDown) {
        if (isDown) down.add(endpoint);
        else down.remove(endpoint);
    }

    public boolean isDown(E endpoint) {
        return down.contains(endpoint);
    }

    /** Every {@link #send} call, including ones dropped immediately. */
    public long messagesSent() {
        return messagesSent;
    }

    /** Receiver invocations, duplicates included. */
    public long messagesDelivered() {
        return messagesDelivered;
    }

    /** Frames (and duplicates) dropped by partitions, crashed endpoints or loss. */
    public long messagesDropped() {
        return messagesDropped;
    }

    /** Extra copies created by duplication. */
    public long messagesDuplicated() {
        return messagesDuplicated;
    }

    /** Bytes put onto pipes (frames dropped before transmission are not counted; lost ones are). */
    public long bytesSent() {
        return bytesSent;
    }

    public long bytesSent(Object pipe) {
        Pipe p = pipes.get(pipe);
        return p == null ? 0 : p.bytesSent;
    }

    /** Longest time any frame waited for its pipe to become free: a congestion indicator. */
    public long maxQueueDelayMicros() {
        return maxQueueDelayMicros;
    }
}
