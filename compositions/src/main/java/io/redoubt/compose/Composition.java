package io.redoubt.compose;

import io.redoubt.lm.SiteId;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A composition, named wide-area/local (Lane 2008, section 4.3): the protocol the logical
 * machines run among themselves, and the one each site runs inside. Every site runs
 * {@code local} unless {@code localBySite} names another for it, so a deployment may mix
 * Paxos and BFT sites. Choosing one is configuration; servers are assembled from it by
 * {@link ServerAssembly} and nothing else changes.
 *
 * <p>Written {@code wide/local}, with per-site exceptions after commas:
 * {@code paxos/paxos,site2=bft} runs BFT in site 2 and Paxos in the others.
 */
public record Composition(WideProtocol wide, LocalProtocol local, SortedMap<Integer, LocalProtocol> localBySite) {
    public static final String VALID = "paxos/paxos, bft/paxos, paxos/bft, bft/bft, paxos/solo, bft/solo,"
            + " each optionally followed by per-site exceptions such as ,site2=bft";

    public Composition {
        localBySite = Collections.unmodifiableSortedMap(new TreeMap<>(localBySite));
        for (Map.Entry<Integer, LocalProtocol> e : localBySite.entrySet()) {
            if (e.getKey() < 0) throw new IllegalArgumentException("site " + e.getKey() + " in a composition must be >= 0");
        }
    }

    /** Every site runs {@code local}. */
    public static Composition of(WideProtocol wide, LocalProtocol local) {
        return new Composition(wide, local, new TreeMap<>());
    }

    public static Composition parse(String name) {
        String[] parts = name.strip().split(",");
        String[] tiers = parts[0].split("/");
        String invalid = "composition '" + name + "' is not valid; valid: " + VALID;
        if (tiers.length != 2) throw new IllegalArgumentException(invalid);
        TreeMap<Integer, LocalProtocol> bySite = new TreeMap<>();
        try {
            WideProtocol wide = WideProtocol.parse(tiers[0]);
            LocalProtocol local = LocalProtocol.parse(tiers[1]);
            for (int i = 1; i < parts.length; i++) {
                String[] kv = parts[i].strip().split("=");
                if (kv.length != 2 || !kv[0].startsWith("site")) throw new IllegalArgumentException(invalid);
                int site = Integer.parseInt(kv[0].substring("site".length()));
                if (bySite.put(site, LocalProtocol.parse(kv[1])) != null) throw new IllegalArgumentException(invalid + " (site" + site + " named twice)");
            }
            return new Composition(wide, local, bySite);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(invalid);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("composition") ? e : new IllegalArgumentException(invalid + " (" + e.getMessage() + ")");
        }
    }

    /** The local protocol of {@code site}. */
    public LocalProtocol localAt(SiteId site) {
        return localBySite.getOrDefault(site.value(), local);
    }

    /** Whether every site runs the same local protocol. */
    public boolean uniform() {
        return localBySite.values().stream().allMatch(p -> p == local);
    }

    /** Whether any site runs a Byzantine local protocol. */
    public boolean anyByzantineSite() {
        return local.byzantine() || localBySite.values().stream().anyMatch(LocalProtocol::byzantine);
    }

    public String cliName() {
        StringBuilder sb = new StringBuilder(wide.cliName()).append('/').append(local.cliName());
        localBySite.forEach((s, p) -> sb.append(",site").append(s).append('=').append(p.cliName()));
        return sb.toString();
    }

    /** Table 4.2 of Lane 2008: normal-case rounds per update {wide-area, local-area, total}; null where it has no row. */
    public int[] table42Rounds() {
        if (!uniform() || local == LocalProtocol.SOLO) return null;
        if (wide.byzantine()) return local.byzantine() ? new int[] {3, 15, 18} : new int[] {3, 8, 11};
        return local.byzantine() ? new int[] {2, 11, 13} : new int[] {2, 6, 8};
    }

    @Override
    public String toString() {
        return cliName();
    }
}
