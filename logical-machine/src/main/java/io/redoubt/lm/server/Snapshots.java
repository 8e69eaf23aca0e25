package io.redoubt.lm.server;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.core.TimerId;
import io.redoubt.lm.crypto.Digests;

/**
 * Log compaction's other half (issue 18), at one server: its latest snapshot of the logical
 * machine, served in pieces to servers of its site that ask, and the fetching of another
 * server's when its local core has fallen behind what the others still keep
 * (io.redoubt.lm.core.Outbox#snapshotNeeded).
 *
 * <p>A fetch pulls one piece at a time ({@link Frame#SNAPSHOT_CHUNK_BYTES_MAX} at most), asking
 * for the next once the last arrived, so a slow link is never flooded; a piece that does not
 * come in time moves the fetch to the next server of the site, from the start. The whole is
 * checked against its SHA-256 before anything is installed; one that does not match, or does not
 * decode as this site's logical machine, is counted and fetched from the next server. In a
 * crash-fault site the digest the serving server names is trusted (it is correct, only the bytes
 * could be damaged); a Byzantine site's fetch will check against the digest its checkpoint
 * certificate names instead.
 */
final class Snapshots {
    static final TimerId FETCH_TIMER = TimerId.of("snapshot-fetch");
    /** How long a fetch waits for the next piece before it asks the next server. */
    static final long FETCH_TIMEOUT_MILLIS = 500;

    /** A snapshot of the logical machine after local slot {@code slot}. */
    record Snapshot(long slot, Bytes bytes, Bytes digest) {
        static Snapshot of(long slot, Bytes bytes) {
            return new Snapshot(slot, bytes, Digests.sha256(bytes));
        }
    }

    interface Host {
        void sendToServer(ServerId to, Bytes frame);

        void setTimer(ServerTimer timer, long delayMillis);

        void cancelTimer(ServerTimer timer);

        /** Installs a fetched snapshot whose digest held; false if it is not this site's logical machine (then nothing changed). */
        boolean install(Snapshot snapshot, ServerId from);

        void reject(Object from, Rejection reason, String detail);
    }

    private final ServerId self;
    private final int siteSize;
    private final Host host;
    private Snapshot latest;

    /** A fetch in progress wants a snapshot after at least this slot; -1: none. */
    private long wantedAtLeast = -1;
    private int source;
    /** The snapshot being received (named by its first piece), and how much of it has arrived. */
    private long receivingSlot = -1;
    private Bytes receivingDigest;
    private byte[] receiving;
    private int received;

    private long taken, installed, piecesServed, bad;

    Snapshots(ServerId self, int siteSize, Host host) {
        this.self = self;
        this.siteSize = siteSize;
        this.host = host;
    }

    /** This server took (or restored, or installed) {@code s}: the one it serves from now on. */
    void taken(Snapshot s) {
        latest = s;
        taken++;
    }

    Snapshot latest() {
        return latest;
    }

    /** The local core needs a snapshot after at least {@code compactedThrough}; {@code from} has one. */
    void needed(ServerId from, long compactedThrough) {
        if (from.equals(self) || compactedThrough <= wantedAtLeast) return; // one fetch at a time; it aims at least that far
        wantedAtLeast = compactedThrough;
        source = from.index();
        ask(0);
    }

    private void ask(long offset) {
        if (offset == 0) {
            receivingSlot = -1;
            receiving = null;
            received = 0;
        }
        host.sendToServer(new ServerId(self.site(), source), new Frame.SnapshotRequest(wantedAtLeast, offset).encode());
        host.setTimer(new ServerTimer.Snapshot(FETCH_TIMER), FETCH_TIMEOUT_MILLIS);
    }

    /** The next server of the site, not this one; from the start. */
    private void nextSource() {
        source = (source + 1) % siteSize;
        if (source == self.index()) source = (source + 1) % siteSize;
        ask(0);
    }

    void onTimer() {
        if (wantedAtLeast >= 0) nextSource();
    }

    void onRequest(ServerId from, Frame.SnapshotRequest q) {
        // Nothing as recent as asked: stay silent, the asker moves on to another server.
        if (latest == null || latest.slot() < q.slotAtLeast() || q.offset() > latest.bytes().length()) return;
        int offset = (int) q.offset();
        int length = Math.min(Frame.SNAPSHOT_CHUNK_BYTES_MAX, latest.bytes().length() - offset);
        byte[] piece = new byte[length];
        System.arraycopy(latest.bytes().unsafeArray(), offset, piece, 0, length);
        piecesServed++;
        host.sendToServer(from, new Frame.SnapshotChunk(latest.slot(), latest.digest(), latest.bytes().length(), offset, Bytes.wrap(piece)).encode());
    }

    void onChunk(ServerId from, Frame.SnapshotChunk c) {
        if (wantedAtLeast < 0 || from.index() != source) return; // not asked for (late, or from a server we moved past)
        if (c.slot() < wantedAtLeast) {
            host.reject(from, Rejection.PROTOCOL_VIOLATION, "snapshot after " + c.slot() + ", asked for one after at least " + wantedAtLeast);
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
        if (!s.digest().equals(receivingDigest)) {
            bad++;
            host.reject(from, Rejection.BAD_SIGNATURE, "snapshot after slot " + s.slot() + " does not match its digest");
            nextSource();
            return;
        }
        long wanted = wantedAtLeast;
        wantedAtLeast = -1;
        host.cancelTimer(new ServerTimer.Snapshot(FETCH_TIMER));
        if (!host.install(s, from)) {
            bad++;
            wantedAtLeast = wanted;
            nextSource();
            return;
        }
        installed++;
    }

    /** Whether a fetch is under way. */
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
