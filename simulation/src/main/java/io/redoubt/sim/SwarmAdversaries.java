package io.redoubt.sim;

import io.redoubt.compose.Deployment;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.sim.adversary.Adversary;
import java.util.List;
import java.util.function.Predicate;

/**
 * The adversaries a swarm seed may place, one row per kind. A seed enables a random subset of the
 * rows that apply to its deployment and places adversaries of those kinds within the
 * composition's assumptions ({@link Swarm}). A new adversary joins swarm campaigns by adding its
 * row here; the order of the rows is the order of the draw, so appending keeps earlier rows' odds.
 */
final class SwarmAdversaries {
    private SwarmAdversaries() {}

    /**
     * One kind of adversary. {@code atLeader}: a server kind acts only as its site's view-0
     * primary (index 0), a whole-site kind matters most as the wide-area primary (site 0).
     * {@code applies}: whether the kind does anything in this deployment.
     */
    record Row(Adversary kind, boolean atLeader, Predicate<Deployment> applies) {
        Row {
            if (!kind.wholeSite() && kind.leader != atLeader) {
                throw new IllegalArgumentException(kind.cliName() + ": a server kind sits at the leader exactly when it acts as leader");
            }
        }

        boolean wholeSite() {
            return kind.wholeSite();
        }
    }

    private static final Predicate<Deployment> ALWAYS = d -> true;

    static final List<Row> ROWS = List.of(
            new Row(Adversary.SILENT, false, ALWAYS),
            new Row(Adversary.GARBAGE, false, ALWAYS),
            new Row(Adversary.REPLAY, false, ALWAYS),
            // Certificates of f+1 signatures have no shares to spoil.
            new Row(Adversary.BAD_SHARES, false, d -> d.byzantineSiteSigning() == LmKeyring.Kind.THRESHOLD),
            new Row(Adversary.EQUIVOCATING_LEADER, true, ALWAYS),
            new Row(Adversary.STARVING_LEADER, true, ALWAYS),
            new Row(Adversary.ROGUE_LM, true, ALWAYS),
            new Row(Adversary.SILENT_SITE, false, ALWAYS),
            new Row(Adversary.EQUIVOCATING_SITE, true, ALWAYS),
            new Row(Adversary.GARBAGE_SITE, false, ALWAYS),
            new Row(Adversary.MUTATING_SITE, false, ALWAYS),
            // Twins (Bano et al. 2022) and ByzzFuzz mutators (Winter et al. 2023).
            new Row(Adversary.TWIN, false, ALWAYS),
            new Row(Adversary.MUTATOR, false, ALWAYS),
            new Row(Adversary.TWIN_SITE, false, ALWAYS),
            new Row(Adversary.MUTATOR_SITE, false, ALWAYS),
            // Aimed at the checks behind the first line: one pre-prepare per slot, the executor's
            // checks of ordered events, the entries of certificates.
            new Row(Adversary.DOUBLE_PRE_PREPARE, true, ALWAYS),
            new Row(Adversary.UNVERIFIED_EVENTS, true, ALWAYS),
            new Row(Adversary.CERTIFICATE_FORGER, false, ALWAYS),
            new Row(Adversary.VOUCH_LIAR, false, ALWAYS),
            new Row(Adversary.REQUEST_EQUIVOCATOR, false, ALWAYS),
            // Faulty links between logical machines (issue 17): forwarders and peers that drop.
            new Row(Adversary.LINK_DROPPER, false, ALWAYS),
            new Row(Adversary.ONE_LINK_DROPPER, false, ALWAYS),
            new Row(Adversary.DEAF_PEER, false, ALWAYS),
            new Row(Adversary.ACK_LIAR, false, ALWAYS));
}
