package io.redoubt.sim;

/**
 * The faults the safety phase injects besides lossy links (section 4.2's crashes and partitions,
 * aimed where they hurt: leaders, and the site that leads the wide area). A fault is drawn
 * uniformly from these kinds except {@link #CRASH_MID_STEP}, which {@link FaultPlan} draws from a
 * stream of its own; the order below is the order of that draw, so changing it changes every seed.
 */
public enum FaultKind {
    /** Crash one server, chosen at random; it restarts with what it persisted. */
    CRASH_SERVER("crash a server"),
    /** Crash a site's local leader, to force a local view change with values in flight. */
    CRASH_LOCAL_LEADER("crash a local leader"),
    /** Cut one site off from all others. */
    ISOLATE_SITE("isolate a site"),
    /** Cut off the site that leads the wide-area protocol, to force a wide-area view change. */
    ISOLATE_WIDE_LEADER_SITE("isolate the wide-area leader site"),
    /** Split the sites into two groups. */
    SPLIT_SITES("split the sites in two"),
    /**
     * Cut a site's local leader off from one of its servers: the rest of the site may elect a new
     * leader while the old one still has proposals in flight.
     */
    CUT_LOCAL_LEADER("cut a local leader from one server"),
    /**
     * Two view changes in a row over slots prepared at one member only, in a BFT site or among the
     * sites of a BFT wide area, so that prepared certificates for one slot from two views meet in
     * one view-change quorum ({@link BackToBackViewChanges}).
     */
    BACK_TO_BACK_VIEW_CHANGES("back-to-back view changes over partially prepared slots"),
    /**
     * Crash one server in the middle of a step, between two of the outputs (sends and persists)
     * of one handler: only the outputs before that point happen, and the records it persisted
     * that were not yet forced are lost. A record is forced once a later send of the same step
     * leaves (the {@link io.redoubt.lm.core.Outbox} contract makes the host force before that
     * send) or when its step ends. This is what makes an acceptor that sends before it persists,
     * or never persists, visible. Drawn apart from the kinds above (see {@link FaultPlan}).
     */
    CRASH_MID_STEP("crash a server between two outputs of one step"),
    /**
     * Crash one server early in the safety phase and keep it down until the network heals: with
     * a short history (issue 18) the rest of its site compacts past where it stopped, so it can
     * come back only through a snapshot of the logical machine from another server. Drawn from a
     * stream of its own, and only when named ({@code --fault-kinds}): not among {@link #DEFAULT_KINDS}.
     */
    KEEP_SERVER_DOWN("keep a server down until the network heals"),
    /**
     * Cut one site off from all others early in the safety phase, until the network heals: with a
     * short wide-area history (issue 18) the other sites compact past where it stopped, so its
     * logical machine can come back only through another's global state. Own stream, only when
     * named, like {@link #KEEP_SERVER_DOWN}.
     */
    CUT_SITE_OFF("cut a site off until the network heals");

    /** What {@code all} and a run that names no kinds draw: every kind before bounded state. */
    static final java.util.List<FaultKind> DEFAULT_KINDS = java.util.List.of(CRASH_SERVER, CRASH_LOCAL_LEADER, ISOLATE_SITE,
            ISOLATE_WIDE_LEADER_SITE, SPLIT_SITES, CUT_LOCAL_LEADER, BACK_TO_BACK_VIEW_CHANGES, CRASH_MID_STEP);

    /** The kinds drawn uniformly, in draw order: every kind but {@link #CRASH_MID_STEP}. */
    static final java.util.List<FaultKind> UNIFORM = java.util.List.of(CRASH_SERVER, CRASH_LOCAL_LEADER, ISOLATE_SITE,
            ISOLATE_WIDE_LEADER_SITE, SPLIT_SITES, CUT_LOCAL_LEADER, BACK_TO_BACK_VIEW_CHANGES);

    final String description;

    FaultKind(String description) {
        this.description = description;
    }

    /** Its name on the command line ({@code --fault-kinds}), e.g. {@code crash-local-leader}. */
    public String cliName() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** Parses a {@link #cliName()}; the message lists the valid names. */
    public static FaultKind parse(String s) {
        for (FaultKind k : values()) if (k.cliName().equals(s.strip())) return k;
        throw new IllegalArgumentException("'" + s + "' is not a fault kind; valid: "
                + java.util.Arrays.stream(values()).map(FaultKind::cliName).collect(java.util.stream.Collectors.joining(", ")));
    }
}
