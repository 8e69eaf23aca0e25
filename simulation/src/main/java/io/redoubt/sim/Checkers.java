package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.exec.SignedUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The properties of section 4.2, checked from outside the servers after every step: S1 safety,
 * S2 validity, the logical-machine property that makes them possible (every correct server
 * of a site holds the same executor state after the same number of ordered events), and the
 * provenance of the LM signatures correct servers accept.
 */
final class Checkers {
    private final Map<Long, Bytes> globalOrder = new HashMap<>();
    private final Map<Long, String> globalOrderWho = new HashMap<>();
    private final Map<ClientId, Map<Long, Bytes>> proposed = new TreeMap<>();
    /** Per site and executed-event count, the first state digest seen and who held it. */
    private final Map<SiteId, TreeMap<Long, Map.Entry<ServerId, Bytes>>> siteDigests = new TreeMap<>();
    private final Map<SiteId, TreeMap<Long, Map.Entry<ServerId, Bytes>>> siteTrails = new TreeMap<>();
    private final java.util.Set<SiteId> divergedTrails = new java.util.TreeSet<>();
    private final List<String> violations = new ArrayList<>();
    /** Per site, the wide-area messages its correct servers' logical machines produced (only looked up). */
    private final Map<SiteId, java.util.Set<Bytes>> producedBySite = new HashMap<>();
    private int provenanceReports;

    static Bytes updateDigest(SignedUpdate u) {
        return Digests.sha256(SignedUpdate.signedContent(u.client(), u.seq(), u.operation()));
    }

    /** A client proposed this update (section 4.2: it sent it to a server of its site). */
    void proposed(SignedUpdate u) {
        proposed.computeIfAbsent(u.client(), k -> new HashMap<>()).put(u.seq(), updateDigest(u));
    }

    void executed(ServerId server, long globalSeq, SignedUpdate u, long nowMicros) {
        Bytes digest = updateDigest(u);
        // S2 - validity: only an update that a client proposed may be executed.
        Map<Long, Bytes> byClient = proposed.get(u.client());
        Bytes expected = byClient == null ? null : byClient.get(u.seq());
        if (!digest.equals(expected)) {
            violations.add("S2 validity: " + server + " executed " + u + " at global seq " + globalSeq
                    + " but no client proposed it (t=" + nowMicros / 1000 + "ms)");
        }
        // S1 - safety: if two correct servers execute the i-th update, the updates are identical.
        Bytes first = globalOrder.putIfAbsent(globalSeq, digest);
        if (first == null) {
            globalOrderWho.put(globalSeq, server + " executed " + u);
        } else if (!first.equals(digest)) {
            violations.add("S1 safety: at global seq " + globalSeq + " " + globalOrderWho.get(globalSeq) + " but "
                    + server + " executed " + u + " (t=" + nowMicros / 1000 + "ms)");
        }
    }

    /**
     * After each input to a server that executed ordered events: its logical machine must equal
     * its site's at the same number of ordered events (section 4.3). Compared every time, by the
     * execution digest (the events and everything they made the machine do, chained, see
     * LogicalMachine#executionDigest); by a digest of the whole state (executor tables, wide-area
     * core, application) when {@code wholeState} asks for it, or when another server's is already
     * held at this count, so that a change inside the application or the core that had no effect
     * yet is caught too.
     */
    /** Per site and local slot, the first snapshot digest a correct server took there, and who. */
    private final Map<SiteId, TreeMap<Long, Map.Entry<ServerId, Bytes>>> snapshots = new TreeMap<>();
    private static final int SNAPSHOTS_KEPT_PER_SITE = 64;

    /**
     * Correct servers of one site snapshot the same logical machine after the same local slot:
     * the same bytes (section 4.3), or a server restored from one would not be that machine.
     */
    void snapshotTaken(ServerId server, long slot, Bytes digest, long nowMicros) {
        TreeMap<Long, Map.Entry<ServerId, Bytes>> bySlot = snapshots.computeIfAbsent(server.site(), k -> new TreeMap<>());
        Map.Entry<ServerId, Bytes> first = bySlot.putIfAbsent(slot, Map.entry(server, digest));
        if (first != null && !first.getValue().equals(digest)) {
            violations.add("logical machine: " + first.getKey() + " and " + server + " took different snapshots after local slot " + slot
                    + " (t=" + nowMicros / 1000 + "ms)");
        }
        while (bySlot.size() > SNAPSHOTS_KEPT_PER_SITE) bySlot.pollFirstEntry();
    }

    void logicalMachineState(ServerId server, long executedEvents, Bytes executionDigest, java.util.function.Supplier<Bytes> stateDigest,
                             boolean wholeState, long nowMicros) {
        if (executedEvents == 0) return;
        Map<Long, Map.Entry<ServerId, Bytes>> trails = siteTrails.computeIfAbsent(server.site(), k -> new TreeMap<>());
        Map.Entry<ServerId, Bytes> firstTrail = trails.putIfAbsent(executedEvents, Map.entry(server, executionDigest));
        if (firstTrail != null && !firstTrail.getKey().equals(server) && !firstTrail.getValue().equals(executionDigest)
                && divergedTrails.add(server.site())) {
            // Chained, so it never agrees again: reported once per site.
            violations.add("logical machine " + server.site() + " diverged: after " + executedEvents + " ordered events " + server
                    + " has execution digest " + executionDigest.toHex().substring(0, 16) + " but " + firstTrail.getKey() + " had "
                    + firstTrail.getValue().toHex().substring(0, 16) + " (t=" + nowMicros / 1000 + "ms)");
        }
        Map<Long, Map.Entry<ServerId, Bytes>> site = siteDigests.computeIfAbsent(server.site(), k -> new TreeMap<>());
        Map.Entry<ServerId, Bytes> first = site.get(executedEvents);
        if (first == null) {
            if (wholeState) site.put(executedEvents, Map.entry(server, stateDigest.get()));
        } else if (!first.getKey().equals(server) && !first.getValue().equals(stateDigest.get())) {
            violations.add("logical machine " + server.site() + " diverged: after " + executedEvents + " ordered events " + server
                    + " holds state " + stateDigest.get().toHex().substring(0, 16) + " but " + first.getKey() + " held "
                    + first.getValue().toHex().substring(0, 16) + " (t=" + nowMicros / 1000 + "ms)");
        }
    }

    /**
     * Every running correct server of {@code site} has executed at least {@code events} ordered
     * events: the digests held for fewer can go, so that a long run's checkers stay bounded (issue
     * 18). A server that comes back from further behind is compared from there on; the execution
     * digest is chained, so a divergence before that point still shows at every later one.
     */
    void forgetBefore(SiteId site, long events) {
        TreeMap<Long, Map.Entry<ServerId, Bytes>> trails = siteTrails.get(site), digests = siteDigests.get(site);
        if (trails != null) trails.headMap(events, false).clear();
        if (digests != null) digests.headMap(events, false).clear();
    }

    /**
     * Signature provenance: every wide-area message that a correct server accepts as logical
     * machine S's, its LM signature checked, must be one that S's correct servers produced by
     * executing their local order. An LM signature needs f+1 of S's servers (section 4.3), so at
     * least one correct server vouched for the message, and a correct server vouches only for its
     * own replica's output (section 3.4.2). A signature over anything else means that fewer than
     * f+1 servers, or a correct server's signer, spoke for the site. Sites compromised within the
     * assumptions are exempt: the caller does not report them. Messages are kept by value, per
     * site, for the run.
     */
    void lmProduced(SiteId site, List<io.redoubt.lm.exec.LmHost.Outgoing> messages) {
        java.util.Set<Bytes> set = producedBySite.computeIfAbsent(site, k -> new java.util.HashSet<>());
        for (io.redoubt.lm.exec.LmHost.Outgoing o : messages) set.add(o.message());
    }

    /** A correct server accepted {@code message} as logical machine {@code from}'s (see {@link #lmProduced}). */
    void lmAccepted(ServerId receiver, SiteId from, Bytes message, long nowMicros) {
        java.util.Set<Bytes> set = producedBySite.get(from);
        if ((set != null && set.contains(message)) || provenanceReports >= 3) return;
        provenanceReports++;
        violations.add("signature provenance: " + receiver + " accepted, as logical machine " + from + "'s, a message of " + message.length()
                + " bytes (sha256 " + Digests.sha256(message).toHex().substring(0, 16) + ", starting "
                + message.toHex().substring(0, Math.min(48, 2 * message.length())) + ") that no correct server of " + from
                + " produced (t=" + nowMicros / 1000 + "ms)");
    }

    void violation(String s) {
        violations.add(s);
    }

    List<String> violations() {
        return violations;
    }

    long orderedUpdates() {
        return globalOrder.size();
    }
}
