package io.redoubt.sim;

import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a run counts besides the checkers' verdicts: rejected inputs by reason (and the first few
 * in full), signatures by the server that computed them (Table 4.3), the rounds on each update's
 * causal path (Table 4.2), client latencies, and the faults exercised.
 */
final class SimMetrics {
    private static final int REJECTION_TRACE_MAX = 20;

    final EnumMap<Rejection, Long> rejections = new EnumMap<>(Rejection.class);
    final List<String> rejectionTrace = new ArrayList<>();
    final TreeMap<ServerId, Long> signaturesBy = new TreeMap<>();
    final RoundStats roundsAtLeaderSite = new RoundStats();
    final RoundStats roundsElsewhere = new RoundStats();
    final List<Long> latenciesMicros = new ArrayList<>();
    /** Bounded state (issue 18): the most records and bytes one server's stable storage held at any time, and snapshots. */
    long storagePeakRecords, storagePeakBytes, snapshotsTaken, snapshotsInstalled, snapshotBytesMax, compactions, snapshotPiecesSpoiled;

    void storagePeak(long records, long bytes) {
        storagePeakRecords = Math.max(storagePeakRecords, records);
        storagePeakBytes = Math.max(storagePeakBytes, bytes);
    }
    /** Signature verifications by servers (clients' own are not counted). */
    long verificationsByServers;
    /**
     * Frames sent between endpoints of one site (clients to their site's servers included) and
     * between sites, with their protocol bytes (the simulator's hop-count header left out).
     * Every send is counted, as the network counts it, including those a partition then drops.
     */
    long localFrames, localFrameBytes, wideFrames, wideFrameBytes;
    /** Encoded bytes of every update the first time a correct server executed it. */
    long orderedUpdateBytes;
    int crashes;
    int partitions;
    /** Crashes between two outputs of one step, and the records they lost for not being forced yet. */
    int midStepCrashes;
    long unforcedRecordsLost;

    void rejected(long nowMicros, ServerId at, Object from, Rejection reason, String detail) {
        rejections.merge(reason, 1L, Long::sum);
        if (rejectionTrace.size() < REJECTION_TRACE_MAX) {
            rejectionTrace.add("t=" + nowMicros / 1000 + "ms " + at + " rejected input from " + from + ": " + reason + " (" + detail + ")");
        }
    }

    /** {@code server} computed one signature (null: a client did). */
    void signed(ServerId server) {
        if (server != null) signaturesBy.merge(server, 1L, Long::sum);
    }

    /** {@code server} verified one signature (null: a client did). */
    void verified(ServerId server) {
        if (server != null) verificationsByServers++;
    }

    long signaturesByServers() {
        long n = 0;
        for (long v : signaturesBy.values()) n += v;
        return n;
    }

    long signaturesBy(ServerId server) {
        return signaturesBy.getOrDefault(server, 0L);
    }

    Map<Rejection, Long> rejectionsCopy() {
        return new EnumMap<>(rejections);
    }
}
