package io.redoubt.runtime.host;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.Frame;
import io.redoubt.runtime.net.Inbound;
import io.redoubt.runtime.net.StreamTransport;
import java.time.Duration;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * A closed-loop client (section 4.2): it signs and proposes one update at a time to a server of
 * its own site, resends to the next server after a timeout (CLink-Opt's client side, section
 * 4.5), and accepts a reply once {@code repliesNeeded} servers sent the same one (f+1 in a
 * Byzantine site). It reports each completed update's latency.
 */
public final class ClientActor extends AbstractBehavior<ClientActor.Command> {
    public sealed interface Command {}

    private record Reply(ServerId from, Bytes frame) implements Command {}

    private record Resend(long seq) implements Command {}

    private record Next() implements Command {}

    /** Told about each completed update, and once the client is done. */
    public interface Listener {
        /** The reply enough servers agreed on, just before {@link #completed}. */
        default void replied(ClientId client, long seq, Bytes reply) {}

        void completed(ClientId client, long seq, long latencyNanos);

        void finished(ClientId client);
    }

    private final ClientId id;
    private final StreamTransport transport;
    private final KeyDirectory keys;
    private final LongFunction<Bytes> operations;
    /** The sequence number of its last update: a client's numbers only grow, across runs too (section 4.2). */
    private final long lastSeq;
    private final int siteServers;
    private final int repliesNeeded;
    private final Duration resendAfter;
    private final Listener listener;
    private final TimerScheduler<Command> timers;
    private final TreeMap<ServerId, Bytes> replies = new TreeMap<>();
    private SignedUpdate current;
    private long seq;
    private int target;
    private long proposedAtNanos;

    /**
     * @param operations the operation of each update, by its sequence number (1-based)
     * @param firstSeq the sequence number of its first update: one more than the last this client ever used
     * @param transports makes the client's connections to the servers of its site
     */
    public static Behavior<Command> create(ClientId id, ServerActor.TransportFactory transports, KeyDirectory keys, LongFunction<Bytes> operations,
                                           long firstSeq, int updates, int siteServers, int repliesNeeded, Duration resendAfter, Listener listener) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ActorRef<Command> self = context.getSelf();
            StreamTransport transport = transports.create(context.getSystem(), new Inbound() {
                @Override
                public void fromServer(ServerId from, Bytes frame) {
                    self.tell(new Reply(from, frame));
                }

                @Override
                public void fromClient(ClientId from, Bytes frame) {} // clients hear only servers
            });
            return new ClientActor(context, timers, id, transport, keys, operations, firstSeq - 1 + updates, siteServers, repliesNeeded, resendAfter,
                    listener, firstSeq - 1);
        }));
    }

    private ClientActor(ActorContext<Command> context, TimerScheduler<Command> timers, ClientId id, StreamTransport transport, KeyDirectory keys,
                        LongFunction<Bytes> operations, long lastSeq, int siteServers, int repliesNeeded, Duration resendAfter, Listener listener,
                        long seqBefore) {
        super(context);
        this.timers = timers;
        this.id = id;
        this.transport = transport;
        this.keys = keys;
        this.operations = operations;
        this.lastSeq = lastSeq;
        this.seq = seqBefore;
        this.siteServers = siteServers;
        this.repliesNeeded = repliesNeeded;
        this.resendAfter = resendAfter;
        this.listener = listener;
        this.target = id.index() % siteServers;
        context.getSelf().tell(new Next());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Next.class, m -> next())
                .onMessage(Resend.class, this::onResend)
                .onMessage(Reply.class, this::onReply)
                .onSignal(PostStop.class, s -> {
                    transport.close();
                    return this;
                })
                .build();
    }

    private Behavior<Command> next() {
        if (seq >= lastSeq) {
            current = null;
            listener.finished(id);
            return this;
        }
        seq++;
        Bytes op = operations.apply(seq);
        current = new SignedUpdate(id, seq, op, keys.scheme().sign(keys.client(id).privateKey(), SignedUpdate.signedContent(id, seq, op)));
        replies.clear();
        proposedAtNanos = System.nanoTime();
        send();
        return this;
    }

    private void send() {
        transport.sendToServer(new ServerId(id.site(), target), new Frame.Request(current).encode());
        timers.startSingleTimer("resend", new Resend(seq), resendAfter);
    }

    private Behavior<Command> onResend(Resend m) {
        if (current == null || m.seq() != seq) return this;
        target = (target + 1) % siteServers; // the next server of the site (section 4.5)
        send();
        return this;
    }

    private Behavior<Command> onReply(Reply m) {
        Frame.Reply r;
        try {
            r = Frame.decodeReply(m.frame());
        } catch (DecodeException e) {
            return this; // a server sent nonsense; it does not count
        }
        if (current == null || !m.from().site().equals(id.site()) || r.seq() != seq || !r.client().equals(id)) return this;
        replies.putIfAbsent(m.from(), r.reply());
        long agreeing = replies.values().stream().filter(v -> v.equals(r.reply())).count();
        if (agreeing < repliesNeeded) return this;
        timers.cancel("resend");
        listener.replied(id, seq, r.reply());
        listener.completed(id, seq, System.nanoTime() - proposedAtNanos);
        return next();
    }
}
