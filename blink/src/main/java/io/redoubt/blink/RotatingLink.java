package io.redoubt.blink;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.crypto.merkle.LmSignature;
import io.redoubt.lm.exec.LmEvent;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.server.Frame;
import io.redoubt.lm.server.WideLink;
import io.redoubt.lm.sign.LmSigner;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stand-in for BLink (section 4.4) until its own issue: one forwarder, the local leader, sends
 * each signed batch to one peer per destination site, who submits it for ordering there. There is
 * no forwarder monitoring and no acknowledgement: the wide-area protocol's own retransmissions
 * give reliability, and a message the logical machine sends again leaves from the next server of
 * this site to the next server of that one, so within f+1 attempts a correct forwarder and a
 * correct peer carry it.
 */
public final class RotatingLink implements WideLink {
    public static final Factory FACTORY = (self, siteSizes, byzantineSites, recentMax, host) -> new RotatingLink(self, siteSizes, recentMax, host);

    private final ServerId self;
    private final SiteId site;
    private final List<ServerId> siteServers;
    private final Map<SiteId, Integer> siteSizes;
    private final int recentMax;
    private final Host host;
    /** A message's sendings so far, and the peer the last one went to. */
    private record Sent(int attempt, int peer) {}

    /** Per destination, the digests of recent messages and how each was last sent, most recent last. */
    private final TreeMap<SiteId, LinkedHashMap<Bytes, Sent>> recent = new TreeMap<>();
    /** Per destination, the peer a new message goes to: where the last resend went once the peer before it failed. */
    private final TreeMap<SiteId, Integer> currentPeer = new TreeMap<>();
    private long wideMessagesSent;
    private long linkChanges;

    private RotatingLink(ServerId self, Map<SiteId, Integer> siteSizes, int recentMax, Host host) {
        this.self = self;
        this.site = self.site();
        this.siteSizes = new TreeMap<>(siteSizes);
        this.recentMax = recentMax;
        this.host = host;
        List<ServerId> servers = new ArrayList<>();
        for (int i = 0; i < siteSizes.get(site); i++) servers.add(new ServerId(site, i));
        this.siteServers = List.copyOf(servers);
    }

    @Override
    public int noteAttempt(List<LmHost.Outgoing> messages) {
        int attempt = 0;
        for (LmHost.Outgoing o : messages) attempt = Math.max(attempt, noteAttempt(o.to(), o.message()).attempt());
        if (attempt > 0) linkChanges++; // every attempt leaves from the next forwarder to the next peer
        return attempt;
    }

    /**
     * How many times this logical machine output {@code message} to {@code to} before (0 the first
     * time), and the peer this sending goes to: a new message to the site's current peer, a resend
     * to the server after the one the message last went to. A resend means that peer did not
     * answer, so if it is still the site's current peer, the next messages go where the resend
     * went: one silent peer costs one resend, not one per message. Messages in flight together
     * that all failed there move the current peer once, not once each.
     */
    private Sent noteAttempt(SiteId to, Bytes message) {
        LinkedHashMap<Bytes, Sent> sent = recent.computeIfAbsent(to, k -> new LinkedHashMap<>());
        Bytes digest = Digests.sha256(message);
        Sent before = sent.remove(digest);
        int current = currentPeer.getOrDefault(to, 0);
        Sent now;
        if (before == null) {
            now = new Sent(0, current);
        } else {
            now = new Sent(before.attempt() + 1, Math.floorMod(before.peer() + 1, siteSizes.get(to)));
            if (before.peer() == current) currentPeer.put(to, now.peer());
        }
        sent.put(digest, now); // re-inserted: most recent last
        if (sent.size() > recentMax) {
            Iterator<Bytes> it = sent.keySet().iterator();
            it.next();
            it.remove();
        }
        return now;
    }

    @Override
    public boolean isForwarder(int attempt) {
        return forwarder(attempt).equals(self);
    }

    @Override
    public ServerId forwarder(int attempt) {
        int leader = host.localLeader().index();
        return siteServers.get(Math.floorMod(leader + attempt, siteServers.size()));
    }

    @Override
    public void forward(LmSigner.Batch batch, LmSignature signature) {
        List<LmEnvelopePart> envelopes = batch.tree().envelopes(signature);
        for (LmHost.Outgoing o : batch.messages()) {
            LmEnvelopePart envelope = envelopes.get(batch.distinct().indexOf(o.message()));
            Sent sending = recent.get(o.to()).get(Digests.sha256(o.message())); // noted by noteAttempt just before
            ServerId peer = new ServerId(o.to(), sending == null ? currentPeer.getOrDefault(o.to(), 0) : sending.peer());
            host.sendToServer(peer, new Frame.Wide(site, o.to(), envelope).encode());
            wideMessagesSent++;
        }
    }

    @Override
    public Bytes onWideFrame(ServerId from, Frame.Wide f) {
        if (!f.to().equals(site) || f.from().equals(site) || !siteSizes.containsKey(f.from()) || !from.site().equals(f.from())) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "wide-area frame " + f.from() + "->" + f.to() + " from " + from);
            return null;
        }
        // The peer checks the path and the site signature before spending local ordering on the
        // message; every server checks them again when the event executes.
        if (host.verify(f.from(), f.envelope()) instanceof LmMessageVerifier.Rejected r) {
            host.reject(from, r.reason(), "logical-machine message of " + f.from() + ": " + r.detail());
            return null;
        }
        return new LmEvent.WideMessage(f.from(), f.envelope()).encode();
    }

    @Override
    public Bytes onLinkFrame(ServerId from, Frame.Link f) {
        host.reject(from, Rejection.PROTOCOL_VIOLATION, "BLink frame, but this deployment runs the stand-in link (redoubt.blink.enabled = off)");
        return null;
    }

    @Override
    public long wideMessagesSent() {
        return wideMessagesSent;
    }

    @Override
    public long linkChanges() {
        return linkChanges;
    }
}
