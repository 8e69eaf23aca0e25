package io.redoubt.cli;

import io.redoubt.compose.ConfigReader;
import io.redoubt.compose.Deployment;
import io.redoubt.compose.DeploymentSettings;
import io.redoubt.compose.SettingsException;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.sim.FaultProfile;
import io.redoubt.sim.SimConfig;
import java.io.File;
import java.util.List;

/**
 * Reads a deployment's HOCON file (falling back to {@code reference.conf}) once, into a
 * simulation configuration: the deployment part through {@link DeploymentSettings} (shared with
 * the host), the workload and simulation keys here. Every bad value fails at start-up with the
 * key, the value and what would be valid.
 */
final class Settings {
    private Settings() {}

    /** Loads {@code file} (or only the defaults when null) and builds a simulation configuration. */
    static SimConfig load(File file) {
        SimConfig loaded = fromConfig(ConfigReader.load(file));
        return file == null ? loaded : loaded.toBuilder().configFile(file.getPath()).build();
    }

    static SimConfig fromConfig(ConfigReader r) {
        Deployment deployment = DeploymentSettings.read(r);
        int clients = r.atLeast("workload.clients-per-site", 0);
        int updates = r.atLeast("workload.updates-per-client", 0);
        long seed = r.longValue("simulation.seed");
        FaultProfile faults = r.get("simulation.faults", () -> FaultProfile.parse(r.config().getString("simulation.faults")));
        String signatures = r.get("simulation.signatures", () -> {
            String s = r.config().getString("simulation.signatures");
            io.redoubt.lm.crypto.SignatureScheme.named(s);
            return s;
        });
        long safetyMillis = r.duration("simulation.safety-phase").toMillis();
        long livenessMillis = r.duration("simulation.liveness-bound").toMillis();
        if (livenessMillis <= 0) throw r.invalid("simulation.liveness-bound", r.config().getValue("simulation.liveness-bound").unwrapped(), "must be > 0, e.g. 60s");
        if (deployment.thresholdKeyBits() < ThresholdParameters.MODULUS_BITS_MIN && !signatures.equals("simulated")) {
            throw r.invalid("byzantine-sites.threshold-key-bits", deployment.thresholdKeyBits(), "keys under " + ThresholdParameters.MODULUS_BITS_MIN
                    + " bits are insecure; they are allowed only with simulation.signatures = simulated");
        }
        try {
            return new SimConfig(deployment, clients, updates, faults, seed, signatures, safetyMillis, livenessMillis, null, null, -1, null, 0,
                    List.of(), false, null);
        } catch (IllegalArgumentException e) {
            throw new SettingsException("redoubt.workload: " + e.getMessage());
        }
    }

    static String describe(SimConfig c) {
        return DeploymentSettings.describe(c.deployment());
    }
}
