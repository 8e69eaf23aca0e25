package io.redoubt.sim;

import io.redoubt.compose.Deployment;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.app.KeyValueStore;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.KeyPair;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.Frame;
import io.redoubt.sim.net.Cancellable;
import io.redoubt.sim.net.RandomSource;
import java.util.TreeMap;

/**
 * A correct client (section 4.2): it proposes updates to the key-value store one at a time to a
 * server of its own site, retransmits on timeout to the next server (CLink-Opt's client side,
 * section 4.5), and accepts a reply once enough servers of its site sent the same one (f+1 in a
 * Byzantine site).
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

    private static final long RETRANSMIT_MICROS = 2_000_000;

    final ClientId id;
    final Endpoint endpoint;
    private final KeyDirectory keys;
    private final KeyPair key;
    private final RandomSource values;
    private final int updates;
    private final long thinkMillis;
    private final int siteServers;
    private final int repliesNeeded;
    private final World world;
    /** Replies to the current update by server; a client of a Byzantine site needs f+1 that agree (section 4.2). */
    private final TreeMap<Endpoint, Bytes> replies = new TreeMap<>();

    SignedUpdate current;
    int attempts;
    private long seq;
    private int completed;
    private int targetIndex;
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
        this.siteServers = deployment.serversAt(id.site());
        this.repliesNeeded = deployment.repliesNeeded(id.site());
        this.targetIndex = id.index() % siteServers;
        this.world = world;
    }

    boolean finished() {
        return completed >= updates;
    }

    ServerId targetServer() {
        return new ServerId(id.site(), targetIndex);
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
        replies.clear();
        proposedAtMicros = world.nowMicros();
        world.proposed(current);
        attempts = 0;
        transmit();
    }

    private void transmit() {
        attempts++;
        world.send(endpoint, Endpoint.of(targetServer()), new Frame.Request(current).encode());
        retransmit = world.schedule(RETRANSMIT_MICROS, this::onTimeout);
    }

    private void onTimeout() {
        if (current == null) return;
        // CLink-Opt's client side (section 4.5): move to the next server of the site and resend.
        targetIndex = (targetIndex + 1) % siteServers;
        transmit();
    }

    void onFrame(Endpoint from, Bytes bytes) {
        Frame.Reply r;
        try {
            r = Frame.decodeReply(bytes);
        } catch (DecodeException e) {
            return;
        }
        if (from.client() || from.site() != id.site().value()) return; // only servers of its own site answer a client
        if (current != null && r.seq() == current.seq() && r.client().equals(id)) {
            replies.putIfAbsent(from, r.reply());
            long agreeing = replies.values().stream().filter(v -> v.equals(r.reply())).count();
            if (agreeing < repliesNeeded) return;
            replies.clear();
            retransmit.cancel();
            completed++;
            world.completed(world.nowMicros() - proposedAtMicros);
            long thinkMicros = thinkMillis > 0 ? thinkMillis * 1000 : values.between(0, 2_000);
            world.schedule(thinkMicros, this::next);
            current = null;
        }
    }
}
