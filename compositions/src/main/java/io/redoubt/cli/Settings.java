package io.redoubt.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.redoubt.bft.PbftConfig;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.server.LmKeyring;
import io.redoubt.paxos.PaxosConfig;
import io.redoubt.sim.Composition;
import io.redoubt.sim.FaultProfile;
import io.redoubt.sim.SimConfig;
import java.io.File;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a deployment's HOCON file (falling back to {@code reference.conf}) once, into records.
 * Every bad value fails here, at start-up, with the key, the value and what would be valid;
 * cores only ever see the validated records.
 */
public final class Settings {
    /** A configuration error a person can fix from the message alone. */
    public static final class SettingsException extends RuntimeException {
        public SettingsException(String message) {
            super(message);
        }
    }

    private static final Pattern BANDWIDTH = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kMG]?)bit/s\\s*");

    private Settings() {}

    /** Loads {@code file} (or only the defaults when null) and builds a simulation configuration. */
    public static SimConfig load(File file) {
        Config config;
        try {
            Config defaults = ConfigFactory.defaultReference();
            if (file == null) {
                config = defaults;
            } else {
                if (!file.isFile()) throw new SettingsException("config file " + file + " does not exist; try conf/paxos-paxos.conf");
                config = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false)).withFallback(defaults).resolve();
            }
        } catch (ConfigException e) {
            throw new SettingsException("cannot read configuration: " + e.getMessage());
        }
        SimConfig loaded = fromConfig(config.getConfig("redoubt"));
        return file == null ? loaded : loaded.toBuilder().configFile(file.getPath()).build();
    }

    static SimConfig fromConfig(Config c) {
        Composition composition = get("redoubt.composition", () -> Composition.parse(c.getString("composition")));
        int sites = atLeast(c, "topology.sites", 1);
        int serversPerSite = atLeast(c, "topology.servers-per-site", 1);
        long latencyMicros = duration(c, "wan.latency").toNanos() / 1000;
        long bandwidth = bandwidth(c, "wan.bandwidth");
        PaxosConfig local = paxos(c, "local.paxos");
        PaxosConfig wide = paxos(c, "wide.paxos");
        int clients = atLeast(c, "workload.clients-per-site", 0);
        int updates = atLeast(c, "workload.updates-per-client", 0);
        long seed = get("redoubt.simulation.seed", () -> c.getLong("simulation.seed"));
        FaultProfile faults = get("redoubt.simulation.faults", () -> FaultProfile.parse(c.getString("simulation.faults")));
        String signatures = get("redoubt.simulation.signatures", () -> {
            String s = c.getString("simulation.signatures");
            io.redoubt.lm.crypto.SignatureScheme.named(s);
            return s;
        });
        long safetyMillis = duration(c, "simulation.safety-phase").toMillis();
        long livenessMillis = duration(c, "simulation.liveness-bound").toMillis();
        if (livenessMillis <= 0) throw invalid("simulation.liveness-bound", c.getValue("simulation.liveness-bound").unwrapped(), "must be > 0, e.g. 60s");
        PbftConfig localPbft = pbft(c, "local.pbft");
        PbftConfig widePbft = pbft(c, "wide.pbft");
        LmKeyring.Kind lmSigning = get("redoubt.byzantine-sites.signatures", () -> {
            LmKeyring.Kind k = LmKeyring.Kind.parse(c.getString("byzantine-sites.signatures"));
            if (k == LmKeyring.Kind.SITE_KEY) throw new IllegalArgumentException("a Byzantine site cannot sign with one site key; valid: threshold, certificate");
            return k;
        });
        int keyBits = atLeast(c, "byzantine-sites.threshold-key-bits", ThresholdParameters.MODULUS_BITS_MIN_FOR_TESTS);
        if (keyBits > ThresholdParameters.MODULUS_BITS_MAX || keyBits % 2 != 0) {
            throw invalid("byzantine-sites.threshold-key-bits", keyBits, "must be even and at most " + ThresholdParameters.MODULUS_BITS_MAX + ", e.g. 2048");
        }
        if (keyBits < ThresholdParameters.MODULUS_BITS_MIN && !signatures.equals("simulated")) {
            throw invalid("byzantine-sites.threshold-key-bits", keyBits, "keys under " + ThresholdParameters.MODULUS_BITS_MIN
                    + " bits are insecure; they are allowed only with simulation.signatures = simulated");
        }
        try {
            return new SimConfig(composition, sites, serversPerSite, clients, updates, faults, seed, signatures, latencyMicros,
                    bandwidth, safetyMillis, livenessMillis, local, wide, null, null, -1, null, 0, localPbft, widePbft, lmSigning, keyBits, true, java.util.List.of(), false);
        } catch (IllegalArgumentException e) {
            throw new SettingsException("redoubt.composition / redoubt.topology: " + e.getMessage());
        }
    }

    private static PbftConfig pbft(Config c, String path) {
        return get("redoubt." + path, () -> new PbftConfig(
                atLeast(c, path + ".window-slots", 1),
                atLeast(c, path + ".checkpoint-interval-slots", 1),
                atLeast(c, path + ".batch-payloads-max", 1),
                bytes(c, path + ".batch-bytes-max"),
                bytes(c, path + ".payload-bytes-max"),
                atLeast(c, path + ".pending-payloads-max", 1),
                positiveMillis(c, path + ".request-timeout"),
                positiveMillis(c, path + ".request-timeout-max"),
                positiveMillis(c, path + ".view-change-timeout"),
                positiveMillis(c, path + ".view-change-timeout-max"),
                positiveMillis(c, path + ".retransmit"),
                atLeast(c, path + ".catch-up-slots-max", 1),
                atLeast(c, path + ".history-slots-max", 1),
                atLeast(c, path + ".in-flight-slots-max", 1)));
    }

    private static PaxosConfig paxos(Config c, String path) {
        return get("redoubt." + path, () -> new PaxosConfig(
                atLeast(c, path + ".window-slots", 1),
                atLeast(c, path + ".batch-payloads-max", 1),
                bytes(c, path + ".batch-bytes-max"),
                bytes(c, path + ".payload-bytes-max"),
                atLeast(c, path + ".pending-payloads-max", 1),
                positiveMillis(c, path + ".progress-timeout"),
                positiveMillis(c, path + ".progress-timeout-max"),
                positiveMillis(c, path + ".retransmit"),
                atLeast(c, path + ".catch-up-slots-max", 1)));
    }

    private interface Getter<T> {
        T get();
    }

    private static <T> T get(String key, Getter<T> getter) {
        try {
            return getter.get();
        } catch (SettingsException e) {
            throw e;
        } catch (ConfigException e) {
            throw new SettingsException(key + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new SettingsException(key + ": " + e.getMessage());
        }
    }

    private static SettingsException invalid(String key, Object value, String fix) {
        return new SettingsException("redoubt." + key + " = " + value + " is not valid: " + fix);
    }

    private static int atLeast(Config c, String key, int min) {
        int v = get("redoubt." + key, () -> c.getInt(key));
        if (v < min) throw invalid(key, v, "must be >= " + min);
        return v;
    }

    private static Duration duration(Config c, String key) {
        Duration d = get("redoubt." + key, () -> c.getDuration(key));
        if (d.isNegative()) throw invalid(key, c.getValue(key).unwrapped(), "must not be negative, e.g. 25ms");
        return d;
    }

    private static long positiveMillis(Config c, String key) {
        long ms = duration(c, key).toMillis();
        if (ms <= 0) throw invalid(key, c.getValue(key).unwrapped(), "must be at least 1ms, e.g. 40ms");
        return ms;
    }

    private static int bytes(Config c, String key) {
        long b = get("redoubt." + key, () -> c.getBytes(key));
        if (b <= 0 || b > Integer.MAX_VALUE) throw invalid(key, c.getValue(key).unwrapped(), "must be between 1B and 2GiB, e.g. 1MiB");
        return (int) b;
    }

    private static long bandwidth(Config c, String key) {
        String raw = get("redoubt." + key, () -> c.getString(key));
        Matcher m = BANDWIDTH.matcher(raw);
        if (!m.matches()) throw invalid(key, "\"" + raw + "\"", "write a rate such as \"10 Mbit/s\", \"500 kbit/s\" or \"1 Gbit/s\"");
        double n = Double.parseDouble(m.group(1));
        long unit = switch (m.group(2)) {
            case "k" -> 1_000L;
            case "M" -> 1_000_000L;
            case "G" -> 1_000_000_000L;
            default -> 1L;
        };
        long bps = (long) (n * unit);
        if (bps <= 0) throw invalid(key, "\"" + raw + "\"", "must be more than 0 bit/s");
        return bps;
    }

    static String describe(SimConfig c) {
        return String.format(Locale.ROOT, "%s, %d sites x %d servers, WAN %d ms one-way at %s",
                c.composition().cliName(), c.sites(), c.serversPerSite(), c.wanLatencyMicros() / 1000, rate(c.wanBandwidthBitsPerSecond()));
    }

    static String rate(long bps) {
        if (bps % 1_000_000_000L == 0) return bps / 1_000_000_000L + " Gbit/s";
        if (bps % 1_000_000L == 0) return bps / 1_000_000L + " Mbit/s";
        if (bps % 1_000L == 0) return bps / 1_000L + " kbit/s";
        return bps + " bit/s";
    }
}
