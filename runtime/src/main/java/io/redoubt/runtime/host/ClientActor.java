package io.redoubt.runtime.host;

import io.redoubt.clink.ClientLink;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.runtime.net.Inbound;
import io.redoubt.runtime.net.StreamTransport;
import java.time.Duration;
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
 * A closed-loop client (section 4.2): it signs and proposes one update at a time through CLink's
 * client side ({@link ClientLink}, section 4.5: to a server of its own site, again to f+1 of them
 * after a timeout, a result once enough servers agree) and reports each completed update's
 * latency.
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
    private final Listener listener;
    private final TimerScheduler<Command> timers;
    private final ClientLink link;
    private SignedUpdate current;
    private long seq;
    private long proposedAtNanos;

    /**
     * @param operations the operation of each update, by its sequence number (1-based)
     * @param firstSeq the sequence number of its first update: one more than the last this client ever used
     * @param transports makes the client's connections to the servers of its site
     * @param link its site's servers, f, the replies that make a result and the resend timeouts
     */
    public static Behavior<Command> create(ClientId id, ServerActor.TransportFactory transports, KeyDirectory keys, LongFunction<Bytes> operations,
                                           long firstSeq, int updates, ClientLink.Settings link, Listener listener) {
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
            return new ClientActor(context, timers, id, transport, keys, operations, firstSeq - 1 + updates, link, listener, firstSeq - 1);
        }));
    }

    private ClientActor(ActorContext<Command> context, TimerScheduler<Command> timers, ClientId id, StreamTransport transport, KeyDirectory keys,
                        LongFunction<Bytes> operations, long lastSeq, ClientLink.Settings linkSettings, Listener listener, long seqBefore) {
        super(context);
        this.timers = timers;
        this.id = id;
        this.transport = transport;
        this.keys = keys;
        this.operations = operations;
        this.lastSeq = lastSeq;
        this.seq = seqBefore;
        this.listener = listener;
        this.link = new ClientLink(id, linkSettings, new ClientLink.Host() {
            @Override
            public void sendToServer(ServerId to, Bytes frame) {
                transport.sendToServer(to, frame);
            }

            @Override
            public void armResendTimer(long seq, long delayMillis) {
                timers.startSingleTimer("resend", new Resend(seq), Duration.ofMillis(delayMillis));
            }

            @Override
            public void cancelResendTimer() {
                timers.cancel("resend");
            }
        });
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
        proposedAtNanos = System.nanoTime();
        link.propose(current);
        return this;
    }

    private Behavior<Command> onResend(Resend m) {
        link.onResendTimer(m.seq());
        return this;
    }

    private Behavior<Command> onReply(Reply m) {
        Bytes reply = link.onServerFrame(m.from(), m.frame()); // nonsense from a server does not count
        if (reply == null || current == null) return this;
        current = null;
        listener.replied(id, seq, reply);
        listener.completed(id, seq, System.nanoTime() - proposedAtNanos);
        return next();
    }
}
