package io.redoubt.cli;

import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.bft.PbftConfig;
import io.redoubt.compose.Composition;
import io.redoubt.compose.Deployment;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.sim.FaultProfile;
import io.redoubt.sim.SimConfig;
import java.io.File;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.sign.LmKeyring;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Options every command that runs a deployment shares. Each overrides the deployment file; an
 * option left out keeps the file's value (or the command's own default).
 */
final class DeploymentOptions {
    @Option(names = "--config", description = "deployment file (HOCON); keys and meanings: compositions/src/main/resources/reference.conf")
    File config;

    @Option(names = "--composition", description = "wide/local protocols; valid: " + Composition.VALID)
    String composition;

    @Option(names = "--sites", description = "number of sites")
    Integer sites;

    @Option(names = "--servers-per-site", description = "servers in each site")
    Integer serversPerSite;

    @Option(names = "--clients-per-site", description = "clients in each site")
    Integer clientsPerSite;

    @Option(names = "--updates-per-client", description = "updates each client proposes, one at a time")
    Integer updatesPerClient;

    @Option(names = "--faults", description = "faults in the safety phase: none, benign, byzantine, or byzantine-links (forwarders and peers that drop between sites)")
    String faults;

    @Option(names = "--signatures", description = "ed25519 (real) or simulated (a fast stand-in, sound only inside the simulator)")
    String signatures;

    @Option(names = "--seed", description = "seed of the (first) run")
    Long seed;

    @Option(names = "--lm-signatures", description = "how a Byzantine site signs: threshold (Shoup RSA) or certificate (f+1 signatures)")
    String lmSignatures;

    @Option(names = "--threshold-key-bits", description = "threshold-RSA modulus bits (under 2048 only with simulated signatures)")
    Integer thresholdKeyBits;

    @Option(names = "--wide-in-flight", description = "wide-area proposals in flight (wide.paxos and wide.pbft in-flight-slots-max)")
    Integer wideInFlight;

    @Option(names = "--wide-forward", description = "where PBFT among sites sends a submitted update: primary-first (its site, then all at a request timeout) or all")
    String wideForward;

    @Option(names = "--local-batch-delay", description = "how long the primary of a BFT site waits for events to share its batch, e.g. 0ms or 1ms (local.pbft.batch-delay)")
    String localBatchDelay;

    @Option(names = "--clink-opt", description = "on: a server of a non-leader site sends a new client update to the leader site unordered "
            + "(CLink-Opt, section 4.5); off: its own site orders it first (redoubt.clink.forward-to-leader-site)")
    String clinkOpt;

    @Option(names = "--blink", description = "on: BLink carries messages between logical machines (section 4.4.1); off: the stand-in link "
            + "(redoubt.blink.enabled)")
    String blink;

    @Option(names = "--compaction", paramLabel = "INTERVAL/HISTORY[/WIDE]", description = "log compaction: a snapshot of the logical machine"
            + " every INTERVAL local slots, local cores keeping HISTORY decided slots, and wide-area cores WIDE, e.g. 16/128 so that a short run"
            + " needs snapshot transfer, or 16/128/16 for transfers among sites; a WIDE below PBFT's window shrinks the window to it, with a"
            + " checkpoint every WIDE/2 slots (redoubt.compaction.snapshot-interval-slots, redoubt.local.*.history-slots-max,"
            + " redoubt.wide.*.history-slots-max, redoubt.wide.pbft.window-slots and checkpoint-interval-slots)")
    String compaction;

    /** Loads the deployment file (or {@code defaultFile} if none was named and it exists) and applies the options. */
    SimConfig resolve(CommandLine cl, File defaultFile) {
        File file = config != null ? config : (defaultFile != null && defaultFile.isFile() ? defaultFile : null);
        SimConfig.Builder b = Settings.load(file).toBuilder();
        if (composition != null) b.composition(parse(cl, () -> Composition.parse(composition)));
        if (sites != null) b.sites(atLeast(cl, "--sites", sites, 1));
        if (serversPerSite != null) b.serversPerSite(atLeast(cl, "--servers-per-site", serversPerSite, 1));
        if (clientsPerSite != null) b.clientsPerSite(atLeast(cl, "--clients-per-site", clientsPerSite, 1));
        if (updatesPerClient != null) b.updatesPerClient(atLeast(cl, "--updates-per-client", updatesPerClient, 1));
        if (faults != null) b.faults(parse(cl, () -> FaultProfile.parse(faults)));
        if (signatures != null) b.signatureScheme(parse(cl, () -> SignatureScheme.named(signatures)).name());
        if (seed != null) b.seed(seed);
        if (lmSignatures != null) {
            b.byzantineSiteSigning(parse(cl, () -> {
                LmKeyring.Kind k = LmKeyring.Kind.parse(lmSignatures);
                if (k == LmKeyring.Kind.SITE_KEY) throw new IllegalArgumentException("--lm-signatures site-key: a Byzantine site cannot sign with one key; valid: threshold, certificate");
                return k;
            }));
        }
        if (thresholdKeyBits != null) b.thresholdKeyBits(atLeast(cl, "--threshold-key-bits", thresholdKeyBits, ThresholdParameters.MODULUS_BITS_MIN_FOR_TESTS));
        SimConfig built = parse(cl, b::build);
        if (wideInFlight != null || wideForward != null) {
            Deployment d = built.deployment();
            int inFlight = wideInFlight != null ? atLeast(cl, "--wide-in-flight", wideInFlight, 1) : -1;
            PaxosConfig paxos = inFlight > 0 ? d.widePaxos().withInFlightSlotsMax(inFlight) : d.widePaxos();
            PbftConfig pbft = inFlight > 0 ? d.widePbft().withInFlightSlotsMax(inFlight) : d.widePbft();
            if (wideForward != null) {
                pbft = pbft.withForwardToPrimaryFirst(switch (wideForward) {
                    case "primary-first" -> true;
                    case "all" -> false;
                    default -> throw new CommandLine.ParameterException(cl, "--wide-forward " + wideForward + " is not valid; valid: primary-first, all");
                });
            }
            built = built.toBuilder().deployment(d.toBuilder().widePaxos(paxos).widePbft(pbft).build()).build();
        }
        if (localBatchDelay != null) {
            long ms = millis(cl, "--local-batch-delay", localBatchDelay);
            Deployment d = built.deployment();
            built = built.toBuilder().deployment(d.toBuilder().localPbft(d.localPbft().withBatchDelayMillis(ms)).build()).build();
        }
        if (clinkOpt != null) {
            long timeout = switch (clinkOpt) {
                case "on" -> built.deployment().clinkOpt() ? built.deployment().clinkForwardTimeoutMillis() : Deployment.SIMULATION_CLINK_FORWARD_TIMEOUT_MILLIS;
                case "off" -> 0;
                default -> throw new CommandLine.ParameterException(cl, "--clink-opt " + clinkOpt + " is not valid; valid: on, off");
            };
            built = built.toBuilder().clinkForwardTimeoutMillis(timeout).build();
        }
        if (blink != null) {
            boolean on = switch (blink) {
                case "on" -> true;
                case "off" -> false;
                default -> throw new CommandLine.ParameterException(cl, "--blink " + blink + " is not valid; valid: on, off");
            };
            built = built.toBuilder().blink(built.deployment().blink().withEnabled(on)).build();
        }
        if (compaction != null) {
            String[] parts = compaction.split("/");
            if (parts.length != 2 && parts.length != 3) {
                throw new CommandLine.ParameterException(cl, "--compaction " + compaction + " is not INTERVAL/HISTORY[/WIDE-HISTORY], e.g. 16/128");
            }
            int interval, history, wide;
            try {
                interval = Integer.parseInt(parts[0].strip());
                history = Integer.parseInt(parts[1].strip());
                wide = parts.length == 3 ? Integer.parseInt(parts[2].strip()) : -1;
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(cl, "--compaction " + compaction + " is not INTERVAL/HISTORY[/WIDE-HISTORY] in slots, e.g. 16/128/64");
            }
            SimConfig c = built;
            built = parse(cl, () -> wide < 0 ? c.withCompaction(interval, history) : c.withCompaction(interval, history, wide));
        }
        if (built.deployment().insecureThresholdKeys() && !built.signatureScheme().equals("simulated") && built.composition().anyByzantineSite()) {
            throw new CommandLine.ParameterException(cl, "--threshold-key-bits " + built.deployment().thresholdKeyBits()
                    + " is insecure; under " + ThresholdParameters.MODULUS_BITS_MIN + " bits only with --signatures simulated");
        }
        return built;
    }

    static int atLeast(CommandLine cl, String option, int value, int min) {
        if (value < min) throw new CommandLine.ParameterException(cl, option + " must be >= " + min + ", was " + value);
        return value;
    }

    /** A duration option ({@code 2s}, {@code 500ms}) in milliseconds; anything else is refused with the option's name. */
    static long millis(CommandLine cl, String option, String value) {
        try {
            long ms = com.typesafe.config.ConfigFactory.parseString("t = " + value).getDuration("t").toMillis();
            if (ms < 0) throw new CommandLine.ParameterException(cl, option + " must not be negative, was " + value);
            return ms;
        } catch (RuntimeException e) {
            if (e instanceof CommandLine.ParameterException p) throw p;
            throw new CommandLine.ParameterException(cl, option + " '" + value + "' is not a duration; write e.g. 2000ms or 2s");
        }
    }

    static <T> T parse(CommandLine cl, java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }
}
