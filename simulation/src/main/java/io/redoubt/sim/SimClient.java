package io.redoubt.sim;

import io.redoubt.clink.ClientLink;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.sim.net.Cancellable;
import io.redoubt.sim.net.RandomSource;

/**
 * A correct client (section 4.2): it proposes updates to the key-value store one at a time,
 * through CLink's client side ({@link ClientLink}, section 4.5: to a server of its own site, again
 * to f+1 of them after a timeout, a result once enough servers agree), and thinks between them.
 */
final class SimClient {
    /** What a client needs from the simulation around it. */
    interface World {
        long nowMicros();

        Cancellable schedule(long delayMicros, Runnable action);

        /** The client is about to sign: charge no server for it. */
        void clientSigns();

        /** The client proposed {@code update} (the checkers and the liveness watch learn of it). */
        void proposed(SignedUpdate update);

        /** Sends a frame; a client's frame starts a new causal path (zero hops). */
        void send(Endpoint from, Endpoint to, Bytes frame);

        /** An update completed after {@code latencyMicros}. */
        void completed(long latencyMicros);
    }

    /** CLink's first timeout; it doubles at each retransmission of an update, up to four times this. */
    private static final long RESEND_AFTER_MILLIS = 2_000;

    final ClientId id;
    final Endpoint endpoint;
    private final KeyDirectory keys;
    private final KeyPair key;
    private final RandomSource values;
    private final int updates;
    private final long thinkMillis;
    private final World world;
    private final ClientLink link;

    SignedUpdate current;
    private long seq;
    private int completed;
    private Cancellable retransmit;
    private long proposedAtMicros;

    /**
     * @param updates how many updates it proposes in all
     * @param thinkMillis pause between a reply and the next update; 0 for a random 0-2 ms
     */
    SimClient(ClientId id, Deployment deployment, KeyDirectory keys, RandomSource values, int updates, long thinkMillis, World world) {
        this.id = id;
        this.endpoint = Endpoint.of(id);
        this.keys = keys;
        this.key = keys.client(id);
        this.values = values;
        this.updates = updates;
        this.thinkMillis = thinkMillis;
        this.world = world;
        ClientLink.Settings settings = new ClientLink.Settings(deployment.serversAt(id.site()), deployment.siteFaults(id.site()),
                deployment.repliesNeeded(id.site()), RESEND_AFTER_MILLIS, 4 * RESEND_AFTER_MILLIS);
        this.link = new ClientLink(id, settings, new ClientLink.Host() {
            @Override
            public void sendToServer(ServerId to, Bytes frame) {
                world.send(endpoint, Endpoint.of(to), frame);
            }

            @Override
            public void armResendTimer(long seq, long delayMillis) {
                if (retransmit != null) retransmit.cancel();
                retransmit = world.schedule(delayMillis * 1000, () -> link.onResendTimer(seq));
            }

            @Override
            public void cancelResendTimer() {
                if (retransmit != null) retransmit.cancel();
                retransmit = null;
            }
        });
    }

    /** When this client last got a reply: between that and its next update it thinks, holding none. */
    long idleSinceMicros;

    boolean finished() {
        return completed >= updates;
    }

    /** How many times the current update was sent: 1 until CLink's first retransmission. */
    int transmissions() {
        return link.transmissions();
    }

    /** Timeouts after which this client sent an update again (to f+1 servers, marked). */
    long retransmissions() {
        return link.retransmissions();
    }

    /** Frames this client refused as replies: malformed, from another site, or about another client. */
    long repliesRefused() {
        return link.repliesRefused();
    }

    /** The server the current update was first sent to. */
    ServerId firstServer() {
        return link.firstServer();
    }

    void next() {
        if (finished()) {
            current = null;
            return;
        }
        seq++;
        world.clientSigns();
        Bytes op = KeyValueStore.put("k" + id + "/" + values.nextInt(16), "v" + seq + "-" + values.nextLong());
        Bytes sig = keys.scheme().sign(key.privateKey(), SignedUpdate.signedContent(id, seq, op));
        current = new SignedUpdate(id, seq, op, sig);
        proposedAtMicros = world.nowMicros();
        world.proposed(current);
        link.propose(current);
    }

    void onFrame(Endpoint from, Bytes bytes) {
        if (from.client()) return; // clients hear only servers
        Bytes reply = link.onServerFrame(new ServerId(io.redoubt.lm.SiteId.of(from.site()), from.index()), bytes);
        if (reply == null) return;
        completed++;
        world.completed(world.nowMicros() - proposedAtMicros);
        long thinkMicros = thinkMillis > 0 ? thinkMillis * 1000 : values.between(0, 2_000);
        world.schedule(thinkMicros, this::next);
        current = null;
        idleSinceMicros = world.nowMicros();
    }
}
