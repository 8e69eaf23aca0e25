package io.redoubt.sim;

import io.redoubt.lm.core.Rejection;
import java.util.List;
import java.util.Map;

/**
 * What one simulation run found. A run passes when it has no safety violation and no liveness
 * failure; {@link #traceHash()} identifies the run's whole history for determinism checks.
 */
public record SimResult(
        SimConfig config,
        List<String> safetyViolations,
        List<String> livenessFailures,
        List<String> faults,
        long orderedUpdates,
        long updatesExecutedByEveryServer,
        int servers,
        boolean replicasAgree,
        long virtualMillis,
        long steps,
        long messages,
        long bytes,
        Map<Rejection, Long> rejections,
        String traceHash,
        RoundStats.Snapshot roundsClientAtLeaderSite,
        RoundStats.Snapshot roundsClientElsewhere,
        long lmSignatures,
        long wideMessages,
        LatencyStats clientLatency,
        long maxQueueDelayMicros,
        Exercised exercised,
        List<String> rejectionTrace,
        String stopReason,
        CryptoCost leaderSiteCost,
        Costs costs,
        Storage storage,
        List<StateSample> stateSamples) {

    /**
     * Bounded state (issue 18), sampled every twentieth of a run's updates: after {@code updates}
     * executed, the most any correct server held of stable storage (records, bytes), of
     * logical-machine state (the size of its snapshot: the wide-area core, clients' replies,
     * links, the application), and of slots in its local and wide-area cores' memory.
     */
    public record StateSample(long updates, long storageRecords, long storageBytes, long stateBytes, long localSlots, long wideSlots) {}

    /**
     * Stable storage (issue 18): the most records, and the most bytes, that any one server held at
     * the end of the run ({@code recordsMax}, {@code bytesMax}) and at any time ({@code peak...});
     * snapshots of the logical machine taken (by correct and faulty servers), installed from
     * another server, and fetched bad (digest or decoding, by correct servers), the largest
     * snapshot, storage compactions, global states a logical machine installed from another (its
     * wide-area core was behind their history) and global states it refused (not matching what its
     * certificates vouch for), each counted once per correct site. A campaign keeps the largest
     * sizes and sums the counts.
     */
    public record Storage(long recordsMax, long bytesMax, long peakRecords, long peakBytes, long snapshotsTaken, long snapshotsInstalled,
                          long badSnapshots, long snapshotBytesMax, long compactions, long globalStatesInstalled, long badGlobalStates) {
        public static Storage none() {
            return new Storage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        /** Over a campaign: the largest sizes, and the counts summed. */
        public Storage max(Storage o) {
            return new Storage(Math.max(recordsMax, o.recordsMax), Math.max(bytesMax, o.bytesMax), Math.max(peakRecords, o.peakRecords),
                    Math.max(peakBytes, o.peakBytes), snapshotsTaken + o.snapshotsTaken, snapshotsInstalled + o.snapshotsInstalled,
                    badSnapshots + o.badSnapshots, Math.max(snapshotBytesMax, o.snapshotBytesMax), compactions + o.compactions,
                    globalStatesInstalled + o.globalStatesInstalled, badGlobalStates + o.badGlobalStates);
        }
    }

    /**
     * What the whole run cost, summed over every server (issue 16: counted, so nobody has to guess).
     * Frames are counted as sent, local (within one site, clients to their site's servers
     * included) and wide-area (between sites) apart, with their protocol bytes; the simulator's
     * own 8-byte hop-count header is left out. {@code wideFloorBytes} is what no protocol can go
     * below: each ordered update's own encoded bytes ({@code orderedUpdateBytes}) carried once to
     * every other site. Signatures and verifications are ordinary ones (Ed25519, or the stand-in)
     * made by servers, certificate shares included; threshold partials and proofs are those of
     * threshold-RSA sites, as the servers running at the end counted them (a restarted server
     * counts from zero again); everything else the simulator counted itself, for the whole run.
     * {@code wideInstances} is the wide-area slots delivered (the most any correct server running
     * at the end delivered) and {@code localInstances} the local slots, summed over sites in the
     * same way: what aggregation (sections 4.6 and 4.7) divides the cost of an instance by.
     * {@code lmMessages} counts the distinct messages (destination and bytes) logical machines sent
     * to other logical machines, a wide-area protocol's resend of one being the same message, and
     * {@code lmFrames} the wide-area frames that carried them (the forwards of every correct server
     * running at the end): BLink's aim is about one frame per message (section 4.4).
     */
    public record Costs(long localFrames, long localFrameBytes, long wideFrames, long wideFrameBytes,
                        long serverSignatures, long serverVerifications, long thresholdPartials, long thresholdProofs,
                        long orderedUpdateBytes, long wideFloorBytes, long wideInstances, long localInstances,
                        long lmMessages, long lmFrames) {
        public static Costs none() {
            return new Costs(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        public Costs plus(Costs o) {
            return new Costs(localFrames + o.localFrames, localFrameBytes + o.localFrameBytes, wideFrames + o.wideFrames,
                    wideFrameBytes + o.wideFrameBytes, serverSignatures + o.serverSignatures, serverVerifications + o.serverVerifications,
                    thresholdPartials + o.thresholdPartials, thresholdProofs + o.thresholdProofs, orderedUpdateBytes + o.orderedUpdateBytes,
                    wideFloorBytes + o.wideFloorBytes, wideInstances + o.wideInstances, localInstances + o.localInstances,
                    lmMessages + o.lmMessages, lmFrames + o.lmFrames);
        }
    }

    /**
     * The expensive cryptography the servers of the wide-area leader's site did in the whole run
     * (Table 4.3): ordinary signatures (Ed25519 here, RSA in the dissertation), threshold-RSA
     * partials, and proofs of correctness of partials.
     */
    public record CryptoCost(int servers, long signatures, long thresholdPartials, long proofs) {
        public double signaturesPerServer() {
            return servers == 0 ? 0 : (double) signatures / servers;
        }

        public double partialsPerServer() {
            return servers == 0 ? 0 : (double) thresholdPartials / servers;
        }
    }

    /**
     * How hard the run pushed the protocols: leader changes at each tier, crashes, partitions. {@code adversaries} counts faulty servers and
     * compromised sites by what they did; {@code blacklisted} counts (server, faulty server)
     * pairs where a correct server blacklisted a faulty one for a bad partial signature.
     * {@code midStepCrashes} counts the crashes (among {@code crashes}) between two outputs of one
     * step, and {@code unforcedRecordsLost} the persisted records they lost for not being forced.
     */
    /**
     * @param conflictingViewChanges new views (per PBFT group and view) whose view-change quorum
     *        carried prepared certificates from different views for different batches in one slot
     * @param clinkSentOn client updates that correct servers running at the end sent on to the
     *        leader site unordered (CLink-Opt, section 4.5)
     * @param clinkFallbacks of those, the ones not executed within the forward timeout, which the
     *        server then ordered at home
     * @param clientRetransmissions client timeouts after which a client sent its update again,
     *        marked, to f+1 servers of its site (CLink, section 4.5)
     * @param clientRepliesRefused frames clients refused as replies (malformed, from another site, about another client)
     * @param linkChanges virtual-link changes: for each site, the most batches any of its correct
     *        servers saw its logical machine send again on another forwarder or peer, summed
     * @param linkChangesMaxRun the most virtual-link changes one run needed
     * @param orderingRequests Ordering_Requests signed by correct servers running at the end (CLink-Order, section 4.5)
     * @param provenFaulty servers proven corrupt by two Ordering_Requests with one number (per run, each counted once)
     */
    public record Exercised(long wideViewChanges, long localViewChanges, int crashes, int partitions,
                            java.util.Map<String, Integer> adversaries, long blacklisted, long conflictingViewChanges,
                            int midStepCrashes, long unforcedRecordsLost, long clinkSentOn, long clinkFallbacks,
                            long clientRetransmissions, long clientRepliesRefused, long linkChanges, long linkChangesMaxRun,
                            long orderingRequests, long provenFaulty) {
        public Exercised {
            adversaries = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(adversaries));
        }

        public Exercised(long wideViewChanges, long localViewChanges, int crashes, int partitions,
                         java.util.Map<String, Integer> adversaries, long blacklisted) {
            this(wideViewChanges, localViewChanges, crashes, partitions, adversaries, blacklisted, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        public static Exercised none() {
            return new Exercised(0, 0, 0, 0, java.util.Map.of(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        }

        public Exercised plus(Exercised o) {
            java.util.TreeMap<String, Integer> a = new java.util.TreeMap<>(adversaries);
            o.adversaries.forEach((k, v) -> a.merge(k, v, Integer::sum));
            return new Exercised(wideViewChanges + o.wideViewChanges, localViewChanges + o.localViewChanges,
                    crashes + o.crashes, partitions + o.partitions, a, blacklisted + o.blacklisted,
                    conflictingViewChanges + o.conflictingViewChanges, midStepCrashes + o.midStepCrashes,
                    unforcedRecordsLost + o.unforcedRecordsLost, clinkSentOn + o.clinkSentOn, clinkFallbacks + o.clinkFallbacks,
                    clientRetransmissions + o.clientRetransmissions, clientRepliesRefused + o.clientRepliesRefused, linkChanges + o.linkChanges,
                    Math.max(linkChangesMaxRun, o.linkChangesMaxRun), orderingRequests + o.orderingRequests, provenFaulty + o.provenFaulty);
        }
    }

    public boolean passed() {
        return safetyViolations.isEmpty() && livenessFailures.isEmpty();
    }

    /** A few lines a person can act on: what failed, the faults injected, and the replay command. */
    public String failureReport() {
        StringBuilder sb = new StringBuilder();
        sb.append("seed ").append(config.seed()).append(" FAILED\n");
        for (String v : safetyViolations) sb.append("  safety: ").append(v).append('\n');
        for (String v : livenessFailures) sb.append("  liveness: ").append(v).append('\n');
        sb.append("  faults injected:\n");
        for (String f : faults) sb.append("    ").append(f).append('\n');
        if (!rejectionTrace.isEmpty()) {
            sb.append("  first rejected inputs:\n");
            for (String r : rejectionTrace.subList(0, Math.min(5, rejectionTrace.size()))) sb.append("    ").append(r).append('\n');
        }
        sb.append("  replay: ").append(config.replayCommand()).append('\n');
        return sb.toString();
    }
}
