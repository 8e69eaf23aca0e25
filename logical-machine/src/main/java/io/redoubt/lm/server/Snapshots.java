package io.redoubt.lm.server;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.CanonicalReader;
import io.redoubt.lm.codec.CanonicalWriter;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Digests;
import java.util.Map;
import java.util.TreeMap;

/**
 * Log compaction's other half (issue 18), at one server: its latest snapshots of the logical
 * machine, served in pieces to servers of its site that ask, and the fetching of another
 * server's when its local core has fallen behind what the others still keep
 * (io.redoubt.lm.core.Outbox#snapshotNeeded).
 *
 * <p>A fetch pulls one piece at a time ({@link Frame#SNAPSHOT_CHUNK_BYTES_MAX} at most), asking
 * for the next once the last arrived, so a slow link is never flooded; a piece that does not
 * come in time moves the fetch to the next server, from the start. The whole is checked against
 * its SHA-256 before anything is installed; one that does not match, or does not decode as this
 * site's logical machine, is counted and fetched from the next server.
 *
 * <p>Which digest? In a crash-fault site, the one the serving server names: it is correct, only
 * the bytes could be damaged. In a Byzantine site, a certified one: every server signs a
 * {@link Frame.SnapshotClaim} for each snapshot it takes and sends it to the site; correct
 * servers take the same snapshot after the same slot, so f+1 matching claims include a correct
 * server's, and a snapshot is fetched only against such a digest, from one of its claimers
 * (another one after a bad or missing piece). A faulty server can then only waste a fetch.
 */
final class Snapshots {
    static final TimerId FETCH_TIMER = TimerId.of("snapshot-fetch");
    /** How long a fetch waits for the next piece (or for a certified digest) before it tries again elsewhere. */
    static final long FETCH_TIMEOUT_MILLIS = 500;
    /**
     * Snapshots a server keeps to serve: the newest two (a fetch under way survives the next
     * snapshot), and the newest one its local core would let a laggard install (PBFT: the newest
     * at or below its stable checkpoint, see {@link Host#anchor}): in an idle site the newest
     * snapshots may all lie past the stable checkpoint, and nobody behind could take them.
     */
    static final int KEPT = 2;
    /** Claims remembered per server: its kept snapshots. */
    static final int CLAIMS_KEPT = KEPT + 1;

    /**
     * A snapshot after local slot {@code slot}: {@code bytes} holds the local core's base
     * (OrderingCore#baseAfter) and the logical machine's snapshot, and {@code digest} is their
     * SHA-256, what claims name and fetches check.
     */
    record Snapshot(long slot, Bytes bytes, Bytes digest) {
        static Snapshot pack(long slot, Bytes base, Bytes machine) {
            Bytes bytes = new CanonicalWriter().bytes(base).bytes(machine).toBytes();
            return new Snapshot(slot, bytes, Digests.sha256(bytes));
        }

        static Snapshot of(long slot, Bytes bytes) {
            return new Snapshot(slot, bytes, Digests.sha256(bytes));
        }

        /** The local core's base; DecodeException if the bytes are not a snapshot. */
        Bytes base() throws DecodeException {
            return new CanonicalReader(bytes).bytes(1024);
        }

        /** The logical machine's snapshot. */
        Bytes machine() throws DecodeException {
            CanonicalReader r = new CanonicalReader(bytes);
            r.bytes(1024);
            Bytes machine = r.bytes(Integer.MAX_VALUE);
            r.expectEnd();
            return machine;
        }
    }

    /** What became of a fetched snapshot handed to the host. */
    enum Install {
        INSTALLED,
        /** Good, but the local core cannot take it yet (PBFT: no stable checkpoint that far): kept and offered again. */
        NOT_YET,
        /** Not this site's logical machine: nothing changed. */
        REFUSED
    }

    interface Host {
        void sendToServer(ServerId to, Bytes frame);

        void setTimer(ServerTimer timer, long delayMillis);

        void cancelTimer(ServerTimer timer);

        /** Installs a fetched snapshot whose digest held. */
        Install install(Snapshot snapshot, ServerId from);

        /** Whether {@code claim}'s signature is its server's. */
        boolean verify(Frame.SnapshotClaim claim);

        /** Signs this server's claim on {@code s}. */
        Frame.SnapshotClaim claim(Snapshot s);

        /** Sends {@code frame} to every other server of the site. */
        void broadcast(Bytes frame);

        /** Whether the local core could take a snapshot after {@code slot} now (OrderingCore#canInstallSnapshot). */
        boolean installable(long slot);

        /** The newest slot after which a snapshot could be installed by a member behind (OrderingCore#snapshotAnchor). */
        long anchor();

        void reject(Object from, Rejection reason, String detail);
    }

    private final ServerId self;
    private final int siteSize;
    /** Matching claims that certify a digest: f+1 in a Byzantine site; 0 where the serving server's word will do. */
    private final int claimsNeeded;
    private final Host host;
    private final TreeMap<Long, Snapshot> kept = new TreeMap<>();
    /** What a claim names: the snapshot's digest and size. */
    private record Claimed(Bytes digest, long totalBytes) {}

    /** Per server of the site, its latest claims: slot -> what it claims. */
    private final TreeMap<Integer, TreeMap<Long, Claimed>> claims = new TreeMap<>();
    /** Certified snapshots that turned out not to be this site's logical machine (a bug, or f+1 liars beyond our assumption): never fetched again. */
    private final java.util.Set<Bytes> refused = new java.util.HashSet<>();
    /** Our own claims of the snapshots we keep, encoded, to send again to a server that was down when we sent them. */
    private final TreeMap<Long, Bytes> ownClaims = new TreeMap<>();

    /** A fetch in progress wants a snapshot after at least this slot; -1: none. */
    private long wantedAtLeast = -1;
    private int source;
    /** In a Byzantine site, the certified snapshot being fetched: its slot and digest; -1 while none is certified. */
    private long certifiedSlot = -1;
    private Bytes certifiedDigest;
    private long certifiedTotal;
    /** The snapshot being received (named by its first piece), and how much of it has arrived. */
    private long receivingSlot = -1;
    private Bytes receivingDigest;
    private byte[] receiving;
    private int received;
    /** Fetched and good, waiting for the local core to be able to take it. */
    private Snapshot waiting;
    private ServerId waitingFrom;

    private long taken, installed, piecesServed, bad;

    Snapshots(ServerId self, int siteSize, int claimsNeeded, Host host) {
        this.self = self;
        this.siteSize = siteSize;
        this.claimsNeeded = claimsNeeded;
        this.host = host;
    }

    /**
     * This server took {@code s} ({@code fresh}), or restored or installed it: it serves it from now
     * on and, where claims are needed, claims it (a snapshot restored or installed is the site's
     * too: installed ones were checked against f+1 claims). A fresh claim goes to the site at
     * once; the others only to a server that asks (onClaimsWanted), so that a site whose servers
     * restarted from their snapshots can still certify one.
     */
    void taken(Snapshot s, boolean fresh) {
        if (!kept.isEmpty() && kept.lastKey() >= s.slot()) kept.clear(); // an install of an older one replaces what we had
        kept.put(s.slot(), s);
        trim();
        taken++;
        if (claimsNeeded > 0) {
            Bytes frame = host.claim(s).encode();
            ownClaims.put(s.slot(), frame);
            ownClaims.keySet().retainAll(kept.keySet());
            if (fresh) host.broadcast(frame);
            note(self.index(), s.slot(), new Claimed(s.digest(), s.bytes().length()));
        }
    }

    /** Drops kept snapshots but the newest two and the newest at or below the anchor. */
    private void trim() {
        java.util.Set<Long> keep = new java.util.HashSet<>();
        Long k = kept.isEmpty() ? null : kept.lastKey();
        for (int i = 0; i < KEPT && k != null; i++) {
            keep.add(k);
            k = kept.lowerKey(k);
        }
        Long anchored = kept.floorKey(host.anchor());
        if (anchored != null) keep.add(anchored);
        kept.keySet().retainAll(keep);
    }

    Snapshot latest() {
        return kept.isEmpty() ? null : kept.lastEntry().getValue();
    }

    private void note(int server, long slot, Claimed claimed) {
        TreeMap<Long, Claimed> mine = claims.computeIfAbsent(server, k -> new TreeMap<>());
        mine.put(slot, claimed);
        while (mine.size() > CLAIMS_KEPT) mine.pollFirstEntry();
    }

    /** A server of the site claims a snapshot (signature not yet checked). */
    void onClaim(ServerId from, Frame.SnapshotClaim c) {
        if (!c.server().equals(from)) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "snapshot claim relayed for " + c.server());
            return;
        }
        TreeMap<Long, Claimed> mine = claims.get(from.index());
        if (mine != null && mine.containsKey(c.slot())) return; // one claim per slot and server
        if (mine != null && mine.size() >= CLAIMS_KEPT && c.slot() < mine.firstKey()) return; // older than what we keep
        if (!host.verify(c)) {
            host.reject(from, Rejection.BAD_SIGNATURE, "snapshot claim signature");
            return;
        }
        note(from.index(), c.slot(), new Claimed(c.digest(), c.totalBytes()));
        if (wantedAtLeast >= 0 && certifiedSlot < 0) certify(false);
    }

    /** A server that was down when we claimed our snapshots asks for the claims. */
    void onClaimsWanted(ServerId from, Frame.SnapshotClaimsWanted w) {
        for (Map.Entry<Long, Bytes> c : ownClaims.tailMap(w.slotAtLeast(), true).entrySet()) host.sendToServer(from, c.getValue());
    }

    /** The local core needs a snapshot after at least {@code compactedThrough}; {@code from} has one (in a crash-fault site). */
    void needed(ServerId from, long compactedThrough) {
        if (compactedThrough <= wantedAtLeast || waiting != null) return; // one fetch at a time; it aims at least that far
        if (wantedAtLeast >= 0 && Math.max(certifiedSlot, receivingSlot) >= compactedThrough) {
            wantedAtLeast = compactedThrough; // the snapshot under way goes far enough: keep receiving it
            return;
        }
        wantedAtLeast = compactedThrough;
        if (claimsNeeded == 0) {
            source = from.equals(self) ? (self.index() + 1) % siteSize : from.index();
            ask(0);
        } else {
            certifiedSlot = -1;
            certify(true);
        }
    }

    /**
     * Byzantine site: the newest snapshot after at least the slot wanted whose digest f+1 servers
     * claim, and a source among them; or wait (a timer) for more claims.
     */
    private void certify(boolean askForClaims) {
        TreeMap<Long, Map<Claimed, Integer>> votes = new TreeMap<>();
        for (Map.Entry<Integer, TreeMap<Long, Claimed>> e : claims.entrySet()) {
            for (Map.Entry<Long, Claimed> c : e.getValue().tailMap(wantedAtLeast, true).entrySet()) {
                votes.computeIfAbsent(c.getKey(), k -> new java.util.HashMap<>()).merge(c.getValue(), 1, Integer::sum);
            }
        }
        // The newest certified snapshot the local core can take now (PBFT: through its stable checkpoint).
        for (Map.Entry<Long, Map<Claimed, Integer>> slot : votes.descendingMap().entrySet()) {
            if (!host.installable(slot.getKey())) continue;
            for (Map.Entry<Claimed, Integer> d : slot.getValue().entrySet()) {
                if (d.getValue() < claimsNeeded || refused.contains(d.getKey().digest())) continue;
                certifiedSlot = slot.getKey();
                certifiedDigest = d.getKey().digest();
                certifiedTotal = d.getKey().totalBytes();
                source = nextClaimer(source);
                ask(0);
                return;
            }
        }
        // Too few claims: we were probably down when they were sent. Ask for them (once per
        // timeout, not per claim that arrives), and look again at the timer.
        if (askForClaims) {
            host.broadcast(new Frame.SnapshotClaimsWanted(wantedAtLeast).encode());
            host.setTimer(new ServerTimer.Snapshot(FETCH_TIMER), FETCH_TIMEOUT_MILLIS);
        }
    }

    /** The next server after {@code from} (not this one) that claims the certified snapshot. */
    private int nextClaimer(int from) {
        for (int k = 1; k <= siteSize; k++) {
            int i = (from + k) % siteSize;
            if (i == self.index()) continue;
            TreeMap<Long, Claimed> c = claims.get(i);
            Claimed claimed = c == null ? null : c.get(certifiedSlot);
            if (claimed != null && claimed.digest().equals(certifiedDigest)) return i;
        }
        return (from + 1) % siteSize == self.index() ? (from + 2) % siteSize : (from + 1) % siteSize;
    }

    private void ask(long offset) {
        if (offset == 0) {
            receivingSlot = -1;
            receiving = null;
            received = 0;
        }
        long slotAtLeast = certifiedSlot >= 0 ? certifiedSlot : wantedAtLeast;
        host.sendToServer(new ServerId(self.site(), source), new Frame.SnapshotRequest(slotAtLeast, offset).encode());
        host.setTimer(new ServerTimer.Snapshot(FETCH_TIMER), FETCH_TIMEOUT_MILLIS);
    }

    /** After a bad or missing piece: the next server, from the start. */
    private void nextSource() {
        if (claimsNeeded > 0) {
            if (certifiedSlot < 0) {
                certify(true);
                return;
            }
            source = nextClaimer(source);
        } else {
            source = (source + 1) % siteSize;
            if (source == self.index()) source = (source + 1) % siteSize;
        }
        ask(0);
    }

    void onTimer() {
        if (wantedAtLeast >= 0) nextSource();
    }

    void onRequest(ServerId from, Frame.SnapshotRequest q) {
        // The oldest kept snapshot as recent as asked (a certified fetch names the slot it wants);
        // none: stay silent, the asker moves on to another server.
        Snapshot serve = null;
        for (Snapshot s : kept.values()) {
            if (s.slot() >= q.slotAtLeast()) {
                serve = s;
                break;
            }
        }
        if (serve == null || q.offset() > serve.bytes().length()) return;
        int offset = (int) q.offset();
        int length = Math.min(Frame.SNAPSHOT_CHUNK_BYTES_MAX, serve.bytes().length() - offset);
        byte[] piece = new byte[length];
        System.arraycopy(serve.bytes().unsafeArray(), offset, piece, 0, length);
        piecesServed++;
        host.sendToServer(from, new Frame.SnapshotChunk(serve.slot(), serve.digest(), serve.bytes().length(), offset, Bytes.wrap(piece)).encode());
    }

    void onChunk(ServerId from, Frame.SnapshotChunk c) {
        if (wantedAtLeast < 0 || from.index() != source) return; // not asked for (late, or from a server we moved past)
        if (c.slot() < wantedAtLeast || (certifiedSlot >= 0 && c.slot() != certifiedSlot)) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "snapshot after " + c.slot() + ", asked for "
                    + (certifiedSlot >= 0 ? "the one after " + certifiedSlot : "one after at least " + wantedAtLeast));
            return;
        }
        if (certifiedSlot >= 0 && (!c.digest().equals(certifiedDigest) || c.totalBytes() != certifiedTotal)) {
            // Not the certified snapshot: its size would be the sender's word alone.
            bad++;
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "snapshot piece of another snapshot than the certified one after " + certifiedSlot);
            nextSource();
            return;
        }
        if (c.totalBytes() > Integer.MAX_VALUE - 8) {
            host.reject(from, Rejection.OVERLOADED, "snapshot of " + c.totalBytes() + " bytes");
            return;
        }
        if (receiving == null || c.slot() != receivingSlot || !c.digest().equals(receivingDigest) || c.totalBytes() != receiving.length) {
            // A new snapshot (the source took a newer one meanwhile): start over with it.
            if (c.offset() != 0) {
                ask(0);
                return;
            }
            receivingSlot = c.slot();
            receivingDigest = c.digest();
            receiving = new byte[(int) c.totalBytes()];
            received = 0;
        }
        if (c.offset() != received) return; // a repeat
        System.arraycopy(c.data().unsafeArray(), 0, receiving, received, c.data().length());
        received += c.data().length();
        if (received < receiving.length) {
            if (c.data().length() == 0) {
                host.reject(from, Rejection.PROTOCOL_VIOLATION, "empty snapshot piece before its end");
                bad++;
                nextSource();
                return;
            }
            ask(received);
            return;
        }
        Snapshot s = Snapshot.of(receivingSlot, Bytes.wrap(receiving));
        receiving = null;
        Bytes expected = certifiedSlot >= 0 ? certifiedDigest : receivingDigest;
        if (!s.digest().equals(expected)) {
            bad++;
            host.reject(from, Rejection.BAD_SIGNATURE, "snapshot after slot " + s.slot() + " does not match its "
                    + (certifiedSlot >= 0 ? "certified " : "") + "digest");
            nextSource();
            return;
        }
        host.cancelTimer(new ServerTimer.Snapshot(FETCH_TIMER));
        offer(s, from);
    }

    private void offer(Snapshot s, ServerId from) {
        switch (host.install(s, from)) {
            case INSTALLED -> {
                installed++;
                waiting = null;
                wantedAtLeast = -1;
                certifiedSlot = -1;
            }
            case NOT_YET -> {
                waiting = s;
                waitingFrom = from;
            }
            case REFUSED -> {
                bad++;
                waiting = null;
                refused.add(s.digest());
                if (certifiedSlot >= 0) certifiedSlot = -1; // fetch another certified one, not these bytes again
                nextSource();
            }
        }
    }

    /** A fetched snapshot waits for the local core: offer it again (after every input). */
    void retryWaiting() {
        if (waiting != null) offer(waiting, waitingFrom);
    }

    /** Whether a fetch is under way (or a fetched snapshot waits to be installed). */
    boolean fetching() {
        return wantedAtLeast >= 0;
    }

    long takenCount() {
        return taken;
    }

    long installedCount() {
        return installed;
    }

    long piecesServed() {
        return piecesServed;
    }

    long badCount() {
        return bad;
    }
}
