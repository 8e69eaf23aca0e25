package io.redoubt.lm.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Snapshot transfer between two servers of a site (issue 18): pulled in pieces, checked against
 * its digest before anything is installed; a damaged one is counted and fetched from the next
 * server; a server with nothing recent enough stays silent and the fetch moves on at its timer.
 */
class SnapshotsTest {
    static final SiteId SITE = new SiteId(0);

    /** A frame in flight. */
    record InFlight(ServerId from, ServerId to, Bytes frame) {}

    /** Three servers' Snapshots wired to one another by hand. */
    static final class Wired {
        final List<Snapshots> servers = new ArrayList<>();
        final List<String> rejections = new ArrayList<>();
        final List<Snapshots.Snapshot> installed = new ArrayList<>();
        final ArrayDeque<InFlight> wire = new ArrayDeque<>();
        /** Damages every piece server 0 serves. */
        boolean serverZeroLies;

        Wired(int n) {
            for (int i = 0; i < n; i++) {
                ServerId me = new ServerId(SITE, i);
                servers.add(new Snapshots(me, n, 0, new Snapshots.Host() {
                    public void sendToServer(ServerId to, Bytes frame) {
                        wire.add(new InFlight(me, to, frame));
                    }

                    public void setTimer(ServerTimer timer, long delayMillis) {}

                    public void cancelTimer(ServerTimer timer) {}

                    public Snapshots.Install install(Snapshots.Snapshot s, ServerId from) {
                        installed.add(s);
                        return Snapshots.Install.INSTALLED;
                    }

                    public boolean verify(Frame.SnapshotClaim claim) {
                        return true;
                    }

                    public Frame.SnapshotClaim claim(Snapshots.Snapshot s) {
                        return new Frame.SnapshotClaim(me, s.slot(), s.digest(), s.bytes().length(), Bytes.EMPTY);
                    }

                    public boolean installable(long slot) {
                        return true;
                    }

                    public long anchor() {
                        return Long.MAX_VALUE;
                    }

                    public void broadcast(Bytes frame) {
                        for (int k = 0; k < n; k++) if (k != me.index()) wire.add(new InFlight(me, new ServerId(SITE, k), frame));
                    }

                    public void reject(Object from, Rejection reason, String detail) {
                        rejections.add(reason + ": " + detail);
                    }
                }));
            }
        }

        void run() {
            while (!wire.isEmpty()) {
                InFlight f = wire.poll();
                Frame decoded;
                try {
                    decoded = Frame.decode(f.frame());
                } catch (DecodeException e) {
                    throw new AssertionError(e);
                }
                if (decoded instanceof Frame.SnapshotRequest q) {
                    servers.get(f.to().index()).onRequest(f.from(), q);
                } else if (decoded instanceof Frame.SnapshotChunk c) {
                    if (serverZeroLies && f.from().index() == 0) {
                        byte[] d = c.data().toArray();
                        d[d.length / 2] ^= 1;
                        c = new Frame.SnapshotChunk(c.slot(), c.digest(), c.totalBytes(), c.offset(), Bytes.wrap(d));
                    }
                    servers.get(f.to().index()).onChunk(f.from(), c);
                }
            }
        }
    }

    static Bytes bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (i * 31 + seed);
        return Bytes.wrap(b);
    }

    @Test
    void aSnapshotLargerThanAPieceArrivesWholeAndIsInstalledOnce() {
        Wired w = new Wired(3);
        Snapshots.Snapshot s = Snapshots.Snapshot.of(127, bytes(3 * Frame.SNAPSHOT_CHUNK_BYTES_MAX + 17, 1));
        w.servers.get(0).taken(s, false);
        w.servers.get(2).needed(new ServerId(SITE, 0), 100);
        w.run();
        assertEquals(List.of(s), w.installed);
        assertEquals(4, w.servers.get(0).piecesServed());
        assertEquals(1, w.servers.get(2).installedCount());
        assertFalse(w.servers.get(2).fetching());
    }

    @Test
    void aDamagedSnapshotIsCaughtByItsDigestCountedAndFetchedFromTheNextServer() {
        Wired w = new Wired(3);
        Snapshots.Snapshot s = Snapshots.Snapshot.of(127, bytes(Frame.SNAPSHOT_CHUNK_BYTES_MAX + 5, 2));
        w.servers.get(0).taken(s, false);
        w.servers.get(1).taken(s, false);
        w.serverZeroLies = true;
        w.servers.get(2).needed(new ServerId(SITE, 0), 100);
        w.run();
        assertEquals(1, w.servers.get(2).badCount());
        assertTrue(w.rejections.stream().anyMatch(r -> r.startsWith("BAD_SIGNATURE") && r.contains("does not match its digest")), w.rejections::toString);
        assertEquals(List.of(s), w.installed, "installed whole, from server 1");
    }

    @Test
    void aServerWithNothingRecentEnoughStaysSilentAndTheTimerMovesTheFetchOn() {
        Wired w = new Wired(3);
        w.servers.get(0).taken(Snapshots.Snapshot.of(63, bytes(100, 3)), false);
        Snapshots.Snapshot recent = Snapshots.Snapshot.of(127, bytes(100, 4));
        w.servers.get(1).taken(recent, false);
        w.servers.get(2).needed(new ServerId(SITE, 0), 100);
        w.run();
        assertTrue(w.installed.isEmpty(), "server 0's snapshot is older than needed");
        assertTrue(w.servers.get(2).fetching());
        w.servers.get(2).onTimer();
        w.run();
        assertEquals(List.of(recent), w.installed);
        assertFalse(w.servers.get(2).fetching());
    }
}
