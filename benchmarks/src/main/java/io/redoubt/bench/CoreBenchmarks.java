package io.redoubt.bench;

import io.redoubt.bft.NodeKeys;
import io.redoubt.bft.PbftConfig;
import io.redoubt.bft.PbftCore;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.Encodable;
import io.redoubt.lm.core.OrderingCore;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Ed25519Scheme;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.paxos.PaxosCore;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One batch of {@link #BATCH} payloads through a whole group of cores, per payload: the
 * agreement's own CPU (encoding, decoding, Ed25519 signatures for PBFT, log bookkeeping, persisted
 * records) with no network, logical machine or threshold cryptography around it. Every message
 * travels as its encoded bytes, as on a real link; timers fire only if the group would otherwise
 * stop, which in a run without faults is never.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CoreBenchmarks {
    static final int BATCH = 64;

    /** Bytes of one payload; a client update with its Ed25519 signature is about this size. */
    @Param({"200"})
    public int payloadBytes;

    private Group pbft;
    private Group paxos;

    @Setup
    public void setUp() {
        KeyDirectory keys = KeyDirectory.derived(Ed25519Scheme.INSTANCE, Bytes.ofUtf8("redoubt benchmarks"));
        NodeKeys.Provider nodeKeys = NodeKeys.fromDirectory(keys);
        pbft = new Group(4, payloadBytes, (members, self, out) ->
                new PbftCore<>(PbftConfig.localDefaults(), members, self, out, nodeKeys.forNode(self), List.of()));
        paxos = new Group(3, payloadBytes, (members, self, out) ->
                new PaxosCore<>(PaxosConfig.localDefaults(), members, self, out, List.of()));
        // The first batch pays for view establishment (Paxos phase 1) and class loading.
        pbft.orderOneBatch();
        paxos.orderOneBatch();
    }

    /** PBFT among the 3f+1 = 4 servers of one site (OSDI '99 normal case; Lane 2008, section 4.3). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long pbftFourServers() {
        return pbft.orderOneBatch();
    }

    /** Paxos among the 2f+1 = 3 servers of one site (Lane 2008, section 2.2.1). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long paxosThreeServers() {
        return paxos.orderOneBatch();
    }

    interface CoreMaker {
        OrderingCore<ServerId> make(List<ServerId> members, ServerId self, Outbox<ServerId> out);
    }

    /** Cores of one site wired through an in-memory queue of encoded messages. */
    static final class Group {
        private record InFlight(ServerId from, ServerId to, Bytes bytes) {}

        private final List<ServerId> members = new ArrayList<>();
        private final Map<ServerId, OrderingCore<ServerId>> cores = new TreeMap<>();
        private final Map<ServerId, TreeSet<TimerId>> armed = new TreeMap<>();
        private final ArrayDeque<InFlight> queue = new ArrayDeque<>();
        private final int payloadBytes;
        private long delivered;
        private long persisted;
        private long submitted;

        Group(int n, int payloadBytes, CoreMaker maker) {
            this.payloadBytes = payloadBytes;
            for (int i = 0; i < n; i++) members.add(ServerId.of(0, i));
            for (ServerId self : members) {
                armed.put(self, new TreeSet<>());
                cores.put(self, maker.make(List.copyOf(members), self, outboxOf(self)));
            }
            cores.values().forEach(OrderingCore::start);
        }

        private Outbox<ServerId> outboxOf(ServerId self) {
            return new Outbox<>() {
                @Override
                public void send(ServerId to, Encodable message) {
                    queue.add(new InFlight(self, to, message.encode()));
                }

                @Override
                public void setTimer(TimerId id, long delayMillis) {
                    armed.get(self).add(id);
                }

                @Override
                public void cancelTimer(TimerId id) {
                    armed.get(self).remove(id);
                }

                @Override
                public void persist(Encodable record) {
                    record.encode(); // what a durable log would write; kept nowhere, so memory stays flat
                    persisted++;
                }

                @Override
                public void deliver(long slot, List<Bytes> payloads) {
                    delivered += payloads.size();
                }

                @Override
                public void reject(ServerId from, Rejection reason, String detail) {
                    throw new IllegalStateException(self + " rejected a message from " + from + " in a fault-free run: " + reason + " " + detail);
                }
            };
        }

        /** Submits {@link #BATCH} new payloads at the leader and runs until every member delivered them. */
        long orderOneBatch() {
            OrderingCore<ServerId> leader = cores.get(cores.values().iterator().next().leader());
            for (int i = 0; i < BATCH; i++) {
                byte[] payload = new byte[payloadBytes];
                long id = submitted++;
                for (int b = 0; b < 8; b++) payload[b] = (byte) (id >>> (8 * b)); // distinct payloads
                leader.submit(Bytes.wrap(payload));
            }
            long target = submitted * members.size();
            int stalls = 0;
            while (delivered < target) {
                InFlight m = queue.poll();
                if (m != null) {
                    cores.get(m.to()).onMessage(m.from(), m.bytes());
                    continue;
                }
                if (++stalls > 100) throw new IllegalStateException("the group stopped: delivered " + delivered + " of " + target);
                for (ServerId s : members) {
                    for (TimerId t : List.copyOf(armed.get(s))) {
                        armed.get(s).remove(t);
                        cores.get(s).onTimer(t);
                    }
                }
            }
            return delivered + persisted;
        }
    }
}
