package io.redoubt.sim;

import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.sim.adversary.Adversary;
import io.redoubt.sim.net.RandomSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which servers of a run are Byzantine and how: drawn from the seed within the composition's
 * assumptions ({@code --faults byzantine}) or put in place by hand ({@code --adversary}). The
 * checkers hold no promise for a faulty server (section 4.2), so the plan also says whom they skip.
 */
final class AdversaryPlan {
    private final TreeSet<ServerId> faulty = new TreeSet<>();
    private final TreeMap<ServerId, Adversary> servers = new TreeMap<>();
    private final TreeMap<Integer, Adversary> compromisedSites = new TreeMap<>();
    private final List<String> log = new ArrayList<>();

    private AdversaryPlan() {}

    /** No adversary at all. */
    static AdversaryPlan none() {
        return new AdversaryPlan();
    }

    /**
     * Draws a seed's Byzantine faults within the composition's assumptions (section 4.2): a Paxos
     * site has crash faults only; a BFT site up to f Byzantine servers of 3f+1; with BFT on the
     * wide area up to F whole sites are compromised (every server faulty, acting as one Byzantine
     * logical machine); with Paxos on the wide area, none.
     */
    static AdversaryPlan draw(Deployment d, RandomSource r) {
        AdversaryPlan plan = new AdversaryPlan();
        Composition comp = d.composition();
        if (comp.wide().byzantine() && r.nextInt(10) < 7) {
            int count = 1 + r.nextInt(d.wideFaults());
            List<Adversary> kinds = List.of(Adversary.SILENT_SITE, Adversary.EQUIVOCATING_SITE, Adversary.GARBAGE_SITE, Adversary.MUTATING_SITE,
                    Adversary.TWIN_SITE, Adversary.MUTATOR_SITE);
            for (int k = 0; k < count; k++) {
                Adversary kind = r.pick(kinds);
                // An equivocating logical machine matters most as the wide-area primary: site 0 leads view 0.
                int site = kind == Adversary.EQUIVOCATING_SITE && !plan.compromisedSites.containsKey(0) ? 0 : r.nextInt(d.sites());
                if (plan.compromisedSites.containsKey(site)) continue;
                plan.compromise(d, site, kind, "");
            }
        }
        if (comp.anyByzantineSite()) {
            List<Adversary> kinds = List.of(Adversary.SILENT, Adversary.GARBAGE, Adversary.REPLAY, Adversary.BAD_SHARES,
                    Adversary.EQUIVOCATING_LEADER, Adversary.STARVING_LEADER, Adversary.ROGUE_LM, Adversary.TWIN, Adversary.MUTATOR,
                    Adversary.DOUBLE_PRE_PREPARE, Adversary.UNVERIFIED_EVENTS, Adversary.CERTIFICATE_FORGER, Adversary.VOUCH_LIAR,
                    Adversary.REQUEST_EQUIVOCATOR);
            for (SiteId siteId : d.siteIds()) {
                int site = siteId.value();
                if (!d.localAt(siteId).byzantine() || plan.compromisedSites.containsKey(site) || r.nextInt(10) >= 6) continue;
                for (int k = 0; k < d.siteFaults(siteId); k++) {
                    Adversary kind = r.pick(kinds);
                    // A leader adversary takes the view-0 primary's place (index 0); the others go anywhere.
                    int index = kind.leader ? 0 : r.nextInt(d.serversAt(siteId));
                    ServerId id = ServerId.of(site, index);
                    if (plan.servers.containsKey(id)) continue;
                    plan.corrupt(id, kind, "");
                }
            }
        }
        return plan;
    }

    /**
     * Draws a seed's faulty links ({@code --faults byzantine-links}, issue 17): in each BFT site,
     * with probability 0.7, up to f servers that misbehave only between sites (or are silent), at
     * index 0 (every site's first forwarder and peer) half the time. No site is compromised:
     * these runs are about the links, and a compromised site's links are its own business.
     */
    static AdversaryPlan drawLinks(Deployment d, RandomSource r) {
        AdversaryPlan plan = new AdversaryPlan();
        List<Adversary> kinds = List.of(Adversary.LINK_DROPPER, Adversary.ONE_LINK_DROPPER, Adversary.DEAF_PEER, Adversary.SILENT,
                Adversary.ACK_LIAR);
        for (SiteId siteId : d.siteIds()) {
            if (!d.localAt(siteId).byzantine() || r.nextInt(10) >= 7) continue;
            for (int k = 0; k < d.siteFaults(siteId); k++) {
                Adversary kind = r.pick(kinds);
                int index = r.nextInt(2) == 0 ? 0 : r.nextInt(d.serversAt(siteId));
                ServerId id = ServerId.of(siteId.value(), index);
                if (plan.servers.containsKey(id)) continue;
                plan.corrupt(id, kind, "");
            }
        }
        return plan;
    }

    /** The adversaries of {@code --adversary} (SimConfig checked them against the composition). */
    static AdversaryPlan planted(Deployment d, List<SimConfig.PlantedAdversary> planted) {
        AdversaryPlan plan = new AdversaryPlan();
        for (SimConfig.PlantedAdversary a : planted) {
            if (a.kind().wholeSite()) plan.compromise(d, a.site(), a.kind(), " (planted)");
            else plan.corrupt(ServerId.of(a.site(), a.server()), a.kind(), " (planted)");
        }
        return plan;
    }

    private void compromise(Deployment d, int site, Adversary kind, String how) {
        compromisedSites.put(site, kind);
        for (int i = 0; i < d.serversAt(new SiteId(site)); i++) faulty.add(ServerId.of(site, i));
        log.add("site " + site + " compromised: " + kind.description + how);
    }

    private void corrupt(ServerId id, Adversary kind, String how) {
        servers.put(id, kind);
        faulty.add(id);
        log.add("server " + id + " Byzantine: " + kind.description + how);
    }

    /** What {@code id} does wrong, or null for a correct server. */
    Adversary of(ServerId id) {
        Adversary a = servers.get(id);
        return a != null ? a : compromisedSites.get(id.site().value());
    }

    boolean isFaulty(ServerId id) {
        return faulty.contains(id);
    }

    boolean isCompromised(int site) {
        return compromisedSites.containsKey(site);
    }

    Set<ServerId> faulty() {
        return Collections.unmodifiableSet(faulty);
    }

    /** One line per adversary, in the order they were placed, for the run's fault log. */
    List<String> log() {
        return List.copyOf(log);
    }

    /** How many adversaries of each kind, for the campaign summary. */
    Map<String, Integer> counts() {
        Map<String, Integer> counts = new TreeMap<>();
        servers.values().forEach(a -> counts.merge(a.description, 1, Integer::sum));
        compromisedSites.values().forEach(a -> counts.merge("compromised site: " + a.description, 1, Integer::sum));
        return counts;
    }
}
