package io.redoubt.sim.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

class NetworkTest {

    /** One delivery as the receiver saw it. */
    record Delivery(long atMicros, String from, String to, byte[] frame) {
        int seq() {
            return ByteBuffer.wrap(frame).getInt();
        }

        @Override
        public String toString() {
            return atMicros + " " + from + "->" + to + " " + HexFormat.of().formatHex(frame);
        }
    }

    /** A network under test plus the log of everything it delivered. */
    static final class Harness {
        final EventLoop loop = new EventLoop();
        final List<Delivery> log = new ArrayList<>();
        final Network<String> net;

        Harness(long seed, BiFunction<String, String, LinkSpec> spec, BiFunction<String, String, Object> pipe) {
            net = new Network<>(loop, new RandomSource(seed), new Network.Topology<String>() {
                @Override
                public LinkSpec spec(String from, String to) {
                    return spec.apply(from, to);
                }

                @Override
                public Object pipeOf(String from, String to) {
                    return pipe.apply(from, to);
                }
            }, (from, to, frame) -> log.add(new Delivery(loop.nowMicros(), from, to, frame)));
        }

        /** Every pair on its own pipe. */
        Harness(long seed, LinkSpec spec) {
            this(seed, (f, t) -> spec, (f, t) -> f + "->" + t);
        }

        void drain() {
            while (loop.runOne()) { }
        }

        long lastArrivalMicros() {
            return log.get(log.size() - 1).atMicros();
        }
    }

    private static byte[] frame(int seq, int size) {
        return ByteBuffer.allocate(Math.max(size, 4)).putInt(seq).array();
    }

    private static final LinkSpec ONE_MBIT_10MS = LinkSpec.wan(10_000, 1_000_000);

    @Test
    void bandwidthSerialisesFramesOnAPipe() {
        Harness h = new Harness(1, ONE_MBIT_10MS);
        for (int i = 0; i < 100; i++) h.net.send("a", "b", frame(i, 1250)); // 10 ms on the wire each
        h.drain();
        assertEquals(100, h.log.size());
        assertTrue(h.lastArrivalMicros() >= 100 * 10_000 + 10_000);
        assertEquals(100 * 10_000 + 10_000, h.lastArrivalMicros());
        assertEquals(20_000, h.log.get(0).atMicros());
        assertEquals(99 * 10_000, h.net.maxQueueDelayMicros());
        assertEquals(125_000, h.net.bytesSent());
        assertEquals(125_000, h.net.bytesSent("a->b"));
        assertEquals(0, h.net.bytesSent("b->a"));
    }

    @Test
    void pairsSharingAPipeAreSerialisedAndOthersAreNot() {
        // a1 and a2 at site A share A's uplink; b1 sends on its own pipe.
        Harness shared = new Harness(1, (f, t) -> ONE_MBIT_10MS, (f, t) -> f.substring(0, 1) + "->" + t.substring(0, 1));
        for (int i = 0; i < 10; i++) {
            shared.net.send("a1", "c1", frame(i, 1250));
            shared.net.send("a2", "c2", frame(i, 1250));
        }
        shared.drain();
        assertEquals(20 * 10_000 + 10_000, shared.lastArrivalMicros());
        assertEquals(25_000, shared.net.bytesSent("a->c"));

        Harness separate = new Harness(1, ONE_MBIT_10MS);
        for (int i = 0; i < 10; i++) {
            separate.net.send("a1", "c1", frame(i, 1250));
            separate.net.send("a2", "c2", frame(i, 1250));
        }
        separate.drain();
        assertEquals(10 * 10_000 + 10_000, separate.lastArrivalMicros());
    }

    @Test
    void transmissionTimeRoundsUp() {
        assertEquals(0, Network.transmissionMicros(1_000, 0));
        assertEquals(8, Network.transmissionMicros(1, 1_000_000));
        assertEquals(1, Network.transmissionMicros(1, 1_000_000_000));
        assertEquals(10_000, Network.transmissionMicros(1250, 1_000_000));
    }

    @Test
    void lossDropsRoughlyTheConfiguredFraction() {
        Harness h = new Harness(3, LinkSpec.wan(1_000, 0).withLoss(0.3));
        for (int i = 0; i < 10_000; i++) h.net.send("a", "b", frame(i, 4));
        h.drain();
        double dropped = h.net.messagesDropped() / 10_000.0;
        assertTrue(dropped >= 0.25 && dropped <= 0.35, "dropped fraction " + dropped);
        assertEquals(10_000, h.net.messagesSent());
        assertEquals(10_000 - h.net.messagesDropped(), h.net.messagesDelivered());
        assertEquals(h.log.size(), h.net.messagesDelivered());
    }

    @Test
    void duplicationProducesExtraDeliveries() {
        Harness h = new Harness(4, LinkSpec.wan(1_000, 0).withDuplicates(0.2).withJitter(100));
        for (int i = 0; i < 1_000; i++) h.net.send("a", "b", frame(i, 4));
        h.drain();
        assertTrue(h.net.messagesDuplicated() > 100, "duplicates " + h.net.messagesDuplicated());
        assertEquals(1_000 + h.net.messagesDuplicated(), h.log.size());
        assertEquals(0, h.net.messagesDropped());
        // Every frame arrived at least once, and copies are distinct arrays.
        assertEquals(1_000, h.log.stream().mapToInt(Delivery::seq).distinct().count());
    }

    @Test
    void jitterReordersAndZeroJitterKeepsFifoPerPipe() {
        Harness jittery = new Harness(5, LinkSpec.wan(1_000, 0).withJitter(5_000));
        Harness steady = new Harness(5, LinkSpec.wan(1_000, 1_000_000));
        for (int i = 0; i < 200; i++) {
            int seq = i;
            jittery.loop.schedule(i * 100L, () -> jittery.net.send("a", "b", frame(seq, 100)));
            steady.loop.schedule(i * 100L, () -> steady.net.send("a", "b", frame(seq, 100)));
        }
        jittery.drain();
        steady.drain();
        List<Integer> jitteryOrder = jittery.log.stream().map(Delivery::seq).toList();
        List<Integer> steadyOrder = steady.log.stream().map(Delivery::seq).toList();
        List<Integer> fifo = java.util.stream.IntStream.range(0, 200).boxed().toList();
        assertEquals(200, jitteryOrder.size());
        assertNotEquals(fifo, jitteryOrder);
        assertEquals(fifo, steadyOrder);
    }

    @Test
    void partitionDropsBothWaysAndHealRestores() {
        Harness h = new Harness(6, LinkSpec.lan());
        h.net.partition((x, y) -> x.equals("c") == y.equals("c")); // {a, b} | {c}
        h.net.send("a", "c", frame(1, 8));
        h.net.send("c", "a", frame(2, 8));
        h.net.send("a", "b", frame(3, 8));
        h.drain();
        assertEquals(List.of(3), h.log.stream().map(Delivery::seq).toList());
        assertEquals(2, h.net.messagesDropped());

        h.net.heal();
        assertTrue(h.net.connected("a", "c"));
        h.net.send("a", "c", frame(4, 8));
        h.net.send("c", "a", frame(5, 8));
        h.drain();
        assertEquals(List.of(3, 4, 5), h.log.stream().map(Delivery::seq).toList());
    }

    @Test
    void partitionStartingWhileInFlightDropsAtArrival() {
        Harness h = new Harness(7, LinkSpec.wan(10_000, 0));
        h.net.send("a", "b", frame(1, 8));
        h.loop.schedule(5_000, () -> h.net.partition((x, y) -> false));
        h.loop.schedule(20_000, h.net::heal);
        h.drain();
        assertEquals(0, h.log.size());
        assertEquals(1, h.net.messagesDropped());
    }

    @Test
    void downEndpointsDropAtSendAndArrival() {
        Harness h = new Harness(8, LinkSpec.wan(10_000, 0));
        h.net.setDown("b", true);
        h.net.send("a", "b", frame(1, 8));
        h.net.send("b", "a", frame(2, 8));
        h.drain();
        assertEquals(0, h.log.size());
        assertEquals(2, h.net.messagesDropped());

        h.net.setDown("b", false);
        h.net.send("a", "b", frame(3, 8));
        h.net.send("a", "b", frame(4, 8));
        h.loop.schedule(5_000, () -> h.net.setDown("b", true)); // crashes while frames are in flight
        h.drain();
        assertEquals(0, h.log.size());
        assertEquals(4, h.net.messagesDropped());

        h.net.setDown("b", false);
        h.net.send("a", "b", frame(5, 8));
        h.drain();
        assertEquals(List.of(5), h.log.stream().map(Delivery::seq).toList());
    }

    @Test
    void senderBufferCanBeReusedAfterSend() {
        Harness h = new Harness(9, LinkSpec.lan());
        byte[] buffer = frame(1, 8);
        h.net.send("a", "b", buffer);
        buffer[0] = 99;
        h.drain();
        assertEquals(1, h.log.get(0).seq());
    }

    /** Two sites of servers, a lossy jittery WAN between them and random traffic at random times. */
    private static List<String> randomWorkload(long seed) {
        RandomSource root = new RandomSource(seed);
        LinkSpec wan = LinkSpec.wan(30_000, 2_000_000).withLoss(0.05).withDuplicates(0.05).withJitter(3_000);
        Harness h = new Harness(root.fork("network").seed(),
                (f, t) -> f.charAt(0) == t.charAt(0) ? LinkSpec.lan() : wan,
                (f, t) -> f.charAt(0) == t.charAt(0) ? f + "->" + t : f.charAt(0) + "=>" + t.charAt(0));
        RandomSource workload = root.fork("workload");
        List<String> endpoints = List.of("a1", "a2", "a3", "b1", "b2", "b3");
        for (int i = 0; i < 500; i++) {
            String from = workload.pick(endpoints);
            String to = workload.pick(endpoints);
            byte[] payload = new byte[(int) workload.between(4, 600)];
            for (int j = 0; j < payload.length; j++) payload[j] = (byte) workload.nextInt(256);
            h.loop.schedule(workload.between(0, 200_000), () -> h.net.send(from, to, payload));
            if (i == 250) h.loop.schedule(100_000, () -> h.net.partition((x, y) -> x.charAt(0) == y.charAt(0)));
            if (i == 300) h.loop.schedule(150_000, h.net::heal);
        }
        h.drain();
        return h.log.stream().map(Delivery::toString).toList();
    }

    @Test
    void sameSeedGivesIdenticalDeliveryLogAndDifferentSeedDoesNot() {
        List<String> first = randomWorkload(2024);
        List<String> second = randomWorkload(2024);
        assertTrue(first.size() > 300, "deliveries " + first.size());
        assertEquals(first, second);
        assertNotEquals(first, randomWorkload(2025));
    }
}
