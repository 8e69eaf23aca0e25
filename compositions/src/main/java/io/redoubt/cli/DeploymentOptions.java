package io.redoubt.cli;

import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.sim.Composition;
import io.redoubt.sim.FaultProfile;
import io.redoubt.sim.SimConfig;
import java.io.File;
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

    @Option(names = "--faults", description = "faults in the safety phase: none or benign")
    String faults;

    @Option(names = "--signatures", description = "ed25519 (real) or simulated (a fast stand-in, sound only inside the simulator)")
    String signatures;

    @Option(names = "--seed", description = "seed of the (first) run")
    Long seed;

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
        return parse(cl, b::build);
    }

    static int atLeast(CommandLine cl, String option, int value, int min) {
        if (value < min) throw new CommandLine.ParameterException(cl, option + " must be >= " + min + ", was " + value);
        return value;
    }

    static <T> T parse(CommandLine cl, java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage());
        }
    }
}
