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
        String stopReason) {

    /** How hard the run pushed the protocols: leader changes at each tier, crashes, partitions. */
    public record Exercised(long wideViewChanges, long localViewChanges, int crashes, int partitions) {
        public Exercised plus(Exercised o) {
            return new Exercised(wideViewChanges + o.wideViewChanges, localViewChanges + o.localViewChanges,
                    crashes + o.crashes, partitions + o.partitions);
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
