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
    public static final Factory FACTORY = RotatingLink::new;

    private final ServerId self;
    private final SiteId site;
    private final List<ServerId> siteServers;
    private final Map<SiteId, Integer> siteSizes;
    private final int recentMax;
    private final Host host;
    /** Per destination, the digests of recent messages and how often each was sent, most recent last. */
    private final TreeMap<SiteId, LinkedHashMap<Bytes, Integer>> recent = new TreeMap<>();
    /** Per destination, how many times a message to it was sent again: its current peer, modulo its size. */
    private final TreeMap<SiteId, Integer> peerShift = new TreeMap<>();
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
        java.util.Set<SiteId> again = new java.util.TreeSet<>();
        for (LmHost.Outgoing o : messages) {
            int a = noteAttempt(o.to(), o.message());
            if (a > 0) again.add(o.to());
            attempt = Math.max(attempt, a);
        }
        // A message sent again to a site was not answered through its peer: that site's next
        // messages go to its next server too, so one silent peer costs one resend, not one per message.
        for (SiteId to : again) peerShift.merge(to, 1, Integer::sum);
        if (attempt > 0) linkChanges++; // every attempt leaves from the next forwarder to the next peer
        return attempt;
    }

    /** How many times this logical machine output {@code message} to {@code to} before (0 the first time). */
    private int noteAttempt(SiteId to, Bytes message) {
        LinkedHashMap<Bytes, Integer> sent = recent.computeIfAbsent(to, k -> new LinkedHashMap<>());
        Bytes digest = Digests.sha256(message);
        Integer before = sent.remove(digest);
        int attempt = before == null ? 0 : before + 1;
        sent.put(digest, attempt); // re-inserted: most recent last
        if (sent.size() > recentMax) {
            Iterator<Bytes> it = sent.keySet().iterator();
            it.next();
            it.remove();
        }
        return attempt;
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
            ServerId peer = new ServerId(o.to(), Math.floorMod(peerShift.getOrDefault(o.to(), 0), siteSizes.get(o.to())));
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
    public long wideMessagesSent() {
        return wideMessagesSent;
    }

    @Override
    public long linkChanges() {
        return linkChanges;
    }
}
