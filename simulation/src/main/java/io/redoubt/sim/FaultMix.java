package io.redoubt.sim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Which benign fault kinds a run's safety phase draws from, and how many ({@code --fault-kinds},
 * {@code --fault-intensity}). Swarm campaigns draw one per seed, so that some seeds hammer on a
 * few kinds and others see a quiet network; the default is every kind at {@link Intensity#SOME}.
 *
 * @param kinds the kinds a fault is drawn from, in {@link FaultKind} order (never empty)
 */
public record FaultMix(List<FaultKind> kinds, Intensity intensity) {
    /** Every kind, today's amount: the draw of runs that name no mix. */
    public static final FaultMix DEFAULT = new FaultMix(FaultKind.DEFAULT_KINDS, Intensity.SOME);

    /** How many fault events a seed draws and how bad its links are. */
    public enum Intensity {
        /** One or two events, mild links. */
        FEW,
        /** One to five events, any links: the draw every run had before intensities existed. */
        SOME,
        /** Six to fifteen events, lossy and jittery links. */
        MANY;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Intensity parse(String s) {
            for (Intensity i : values()) if (i.cliName().equals(s)) return i;
            throw new IllegalArgumentException("--fault-intensity '" + s + "' is not valid; valid: few, some, many");
        }
    }

    public FaultMix {
        if (kinds.isEmpty()) throw new IllegalArgumentException("--fault-kinds must name at least one kind");
        // One order whatever the caller's, so that a mix draws the same faults however it was written.
        EnumSet<FaultKind> set = EnumSet.copyOf(kinds);
        if (set.size() != kinds.size()) throw new IllegalArgumentException("--fault-kinds names a kind twice: " + kinds);
        kinds = List.copyOf(set);
    }

    /** Parses {@code --fault-kinds} ({@code all} or a comma-separated list) and {@code --fault-intensity}. */
    public static FaultMix parse(String kinds, String intensity) {
        List<FaultKind> list = new ArrayList<>();
        if (kinds.strip().equals("all")) list.addAll(FaultKind.DEFAULT_KINDS);
        else for (String k : kinds.split(",")) list.add(FaultKind.parse(k));
        return new FaultMix(list, Intensity.parse(intensity));
    }

    public boolean allKinds() {
        return kinds.equals(FaultKind.DEFAULT_KINDS);
    }

    /** {@code --fault-kinds}' value: {@code all} or the kinds' names. */
    public String kindsCliValue() {
        return allKinds() ? "all" : kinds.stream().map(FaultKind::cliName).collect(Collectors.joining(","));
    }
}
