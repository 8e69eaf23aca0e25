package io.redoubt.clink;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.Frame;
import java.util.Objects;
import java.util.TreeMap;

/**
 * CLink's client side (Lane 2008, section 4.5): how a client hands one update at a time to its
 * logical machine and knows when it was executed. Pure: the host (the simulator's client, the
 * runtime's client actor, the {@code client} command) sends its frames, runs its one timer and
 * feeds it what servers answer.
 *
 * <ul>
 *   <li>The client keeps the list of its site's servers and sends a new update to the one at the
 *       front (clients start at different servers, by their index).</li>
 *   <li>If no reply comes within the timeout, it sends the update again, marked as a
 *       retransmission, to f + 1 servers of the site, so that at least one correct server gets
 *       it and orders it at home (CLink-Order rather than CLink-Opt's unordered forward), and it
 *       moves the front of its list to the next server: its next update goes there first. The
 *       timeout doubles at each retransmission of an update, up to a bound, so that an overloaded
 *       site is not flooded by its own clients.</li>
 *   <li>It takes a reply once {@code repliesNeeded} servers of its site sent the same one (f + 1
 *       in a Byzantine site: one of them is correct, and correct servers reply only what they
 *       executed). Each server's first reply counts; a reply from another site, for another
 *       client or that does not decode is refused and counted.</li>
 * </ul>
 */
public final class ClientLink {
    /** What the link asks of the client around it. */
    public interface Host {
        void sendToServer(ServerId to, Bytes frame);

        /** Arms the client's one resend timer (replacing any armed one); when it fires, call {@link #onResendTimer} with {@code seq}. */
        void armResendTimer(long seq, long delayMillis);

        void cancelResendTimer();
    }

    /**
     * @param siteServers servers of the client's site
     * @param faultsTolerated f of the client's site: a retransmission goes to f + 1 servers
     * @param repliesNeeded matching replies from distinct servers that make a result (1 in a benign site, f + 1 in a Byzantine one)
     * @param resendAfterMillis the first timeout of an update
     * @param resendAfterMaxMillis the most the timeout grows to, doubling at each retransmission
     */
    public record Settings(int siteServers, int faultsTolerated, int repliesNeeded, long resendAfterMillis, long resendAfterMaxMillis) {
        public Settings {
            if (siteServers < 1) throw new IllegalArgumentException("a client's site has at least one server, was " + siteServers);
            if (faultsTolerated < 0 || faultsTolerated + 1 > siteServers) {
                throw new IllegalArgumentException("f + 1 = " + (faultsTolerated + 1) + " must be between 1 and the site's " + siteServers + " servers");
            }
            if (repliesNeeded < 1 || repliesNeeded > siteServers) {
                throw new IllegalArgumentException("replies needed must be between 1 and the site's " + siteServers + " servers, was " + repliesNeeded);
            }
            if (resendAfterMillis < 1 || resendAfterMaxMillis < resendAfterMillis) {
                throw new IllegalArgumentException("resend timeout must be >= 1 ms and at most its bound, was " + resendAfterMillis + " ms (bound "
                        + resendAfterMaxMillis + " ms)");
            }
        }
    }

    private final ClientId id;
    private final Settings settings;
    private final Host host;
    /** Replies to the current update, by server: the first each server sent. */
    private final TreeMap<ServerId, Bytes> replies = new TreeMap<>();
    private SignedUpdate current;
    /** Index of the server at the front of the list. */
    private int front;
    private long lastSeq;
    private int transmissions;
    private long resendAfterMillis;
    private ServerId firstServer;
    private long retransmissions;
    private long repliesRefused;

    public ClientLink(ClientId id, Settings settings, Host host) {
        this.id = Objects.requireNonNull(id, "id");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.host = Objects.requireNonNull(host, "host");
        this.front = id.index() % settings.siteServers();
    }

    /** Sends a new update to the server at the front of the list. One update at a time, with growing sequence numbers (section 4.2). */
    public void propose(SignedUpdate update) {
        if (current != null) throw new IllegalStateException("update " + current.seq() + " of " + id + " is still outstanding");
        if (!update.client().equals(id)) throw new IllegalArgumentException("update of " + update.client() + " proposed through the link of " + id);
        if (update.seq() <= lastSeq) throw new IllegalArgumentException("sequence numbers grow: " + update.seq() + " after " + lastSeq);
        current = update;
        lastSeq = update.seq();
        replies.clear();
        transmissions = 1;
        resendAfterMillis = settings.resendAfterMillis();
        firstServer = server(front);
        host.sendToServer(firstServer, new Frame.Request(update).encode());
        host.armResendTimer(update.seq(), resendAfterMillis);
    }

    /** The resend timer armed for {@code seq} fired: retransmit to f + 1 servers and move the front of the list on. */
    public void onResendTimer(long seq) {
        if (current == null || seq != current.seq()) return; // the update it was armed for is done
        front = (front + 1) % settings.siteServers();
        Bytes again = new Frame.Request(current, true).encode();
        for (int k = 0; k <= settings.faultsTolerated(); k++) host.sendToServer(server(front + k), again);
        transmissions++;
        retransmissions++;
        resendAfterMillis = Math.min(settings.resendAfterMaxMillis(), 2 * resendAfterMillis);
        host.armResendTimer(seq, resendAfterMillis);
    }

    /**
     * A frame from a server. Returns the reply once enough servers of the site agree on it (the
     * current update is then done), else null.
     */
    public Bytes onServerFrame(ServerId from, Bytes frame) {
        Frame.Reply r;
        try {
            r = Frame.decodeReply(frame);
        } catch (DecodeException e) {
            repliesRefused++;
            return null;
        }
        if (!from.site().equals(id.site()) || from.index() >= settings.siteServers() || !r.client().equals(id)) {
            repliesRefused++; // only servers of its own site answer a client (section 4.2), about its own updates
            return null;
        }
        if (current == null || r.seq() != current.seq()) return null; // a late reply to an update already done
        replies.putIfAbsent(from, r.reply());
        long agreeing = replies.values().stream().filter(v -> v.equals(r.reply())).count();
        if (agreeing < settings.repliesNeeded()) return null;
        host.cancelResendTimer();
        current = null;
        replies.clear();
        return r.reply();
    }

    /** The update waiting for its reply, or null. */
    public SignedUpdate outstanding() {
        return current;
    }

    /** How many times the outstanding (or last) update was sent: 1 until its first retransmission. */
    public int transmissions() {
        return transmissions;
    }

    /** The server the outstanding (or last) update was first sent to. */
    public ServerId firstServer() {
        return firstServer;
    }

    /** The server the next update goes to first. */
    public ServerId front() {
        return server(front);
    }

    /** Timeouts that made this client send an update again, over its lifetime. */
    public long retransmissions() {
        return retransmissions;
    }

    /** Frames refused as replies: malformed, from outside the site, or about another client. */
    public long repliesRefused() {
        return repliesRefused;
    }

    private ServerId server(int index) {
        return new ServerId(id.site(), Math.floorMod(index, settings.siteServers()));
    }
}
