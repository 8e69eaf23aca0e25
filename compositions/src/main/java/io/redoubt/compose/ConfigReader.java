package io.redoubt.compose;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.io.File;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values out of the {@code redoubt} block of a HOCON file. Every failure is a
 * {@link SettingsException} naming the full key ({@code redoubt.wan.latency}), the value and
 * what would be valid; nothing past start-up ever sees a {@link Config}.
 */
public final class ConfigReader {
    /** Keys whose children are the user's to name (a server's address per server). */
    private static final String OPEN_MAP = "topology.addresses";
    private static final Pattern BANDWIDTH = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([kMG]?)bit/s\\s*");

    private final Config c;

    public ConfigReader(Config redoubtBlock) {
        this.c = redoubtBlock;
    }

    /** Loads {@code file} over the defaults of every {@code reference.conf} (only the defaults when null). */
    public static ConfigReader load(File file) {
        try {
            Config defaults = ConfigFactory.defaultReference();
            Config config;
            if (file == null) {
                config = defaults;
            } else {
                if (!file.isFile()) throw new SettingsException("config file " + file + " does not exist; try conf/paxos-paxos.conf");
                Config own = ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
                if (own.root().get("redoubt") instanceof ConfigObject ownBlock) {
                    checkKnownKeys(ownBlock, defaults.getObject("redoubt"));
                }
                config = own.withFallback(defaults).resolve();
            }
            return new ConfigReader(config.getConfig("redoubt"));
        } catch (ConfigException e) {
            throw new SettingsException("cannot read configuration: " + e.getMessage());
        }
    }

    /**
     * Rejects a key of {@code own} that no {@code reference.conf} defines (a typo would otherwise
     * be ignored and its default used silently), naming the closest key that exists.
     */
    static void checkKnownKeys(ConfigObject own, ConfigObject reference) {
        Map<String, ConfigValue> known = leaves(reference, "");
        for (Map.Entry<String, ConfigValue> e : leaves(own, "").entrySet()) {
            String key = e.getKey();
            if (known.containsKey(key) || key.startsWith(OPEN_MAP + ".")) continue;
            String value = e.getValue().render(ConfigRenderOptions.concise());
            String block = key + ".";
            if (known.keySet().stream().anyMatch(k -> k.startsWith(block))) {
                throw new SettingsException("redoubt." + key + " = " + value + " is not valid: it is a block of keys, e.g. redoubt."
                        + known.keySet().stream().filter(k -> k.startsWith(block)).findFirst().orElseThrow() + " = ...");
            }
            String closest = known.keySet().stream().filter(k -> !k.startsWith(OPEN_MAP + "."))
                    .min((a, b) -> Integer.compare(editDistance(key, a), editDistance(key, b))).orElseThrow();
            throw new SettingsException("redoubt." + key + " = " + value + " is not a known key; did you mean redoubt." + closest
                    + "? (every key is documented in compositions/src/main/resources/reference.conf)");
        }
    }

    /** Every value that is not an object, by its path under {@code prefix}; an empty object counts as none. */
    private static Map<String, ConfigValue> leaves(ConfigObject o, String prefix) {
        Map<String, ConfigValue> out = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> e : o.entrySet()) {
            String path = prefix + ConfigUtil.joinPath(e.getKey());
            if (e.getValue() instanceof ConfigObject child) {
                if (path.equals(OPEN_MAP)) out.put(path, child); // its children are names, not keys
                else out.putAll(leaves(child, path + "."));
            } else {
                out.put(path, e.getValue());
            }
        }
        return out;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    public Config config() {
        return c;
    }

    /** Runs {@code getter}; a failure names {@code redoubt.key}. */
    public <T> T get(String key, Supplier<T> getter) {
        try {
            return getter.get();
        } catch (SettingsException e) {
            throw e;
        } catch (ConfigException | IllegalArgumentException e) {
            throw new SettingsException("redoubt." + key + ": " + e.getMessage());
        }
    }

    public SettingsException invalid(String key, Object value, String fix) {
        return new SettingsException("redoubt." + key + " = " + value + " is not valid: " + fix);
    }

    public String string(String key) {
        return get(key, () -> c.getString(key));
    }

    public long longValue(String key) {
        return get(key, () -> c.getLong(key));
    }

    /** A switch: on/off, true/false or yes/no (HOCON's booleans); anything else names the key and the choices. */
    public boolean bool(String key) {
        return get(key, () -> {
            try {
                return c.getBoolean(key);
            } catch (ConfigException.WrongType e) {
                throw invalid(key, c.getValue(key).unwrapped(), "must be on or off");
            }
        });
    }

    public int atLeast(String key, int min) {
        int v = get(key, () -> c.getInt(key));
        if (v < min) throw invalid(key, v, "must be >= " + min);
        return v;
    }

    public Duration duration(String key) {
        Duration d = get(key, () -> c.getDuration(key));
        if (d.isNegative()) throw invalid(key, c.getValue(key).unwrapped(), "must not be negative, e.g. 25ms");
        return d;
    }

    public long positiveMillis(String key) {
        long ms = duration(key).toMillis();
        if (ms <= 0) throw invalid(key, c.getValue(key).unwrapped(), "must be at least 1ms, e.g. 40ms");
        return ms;
    }

    public int bytes(String key) {
        long b = get(key, () -> c.getBytes(key));
        if (b <= 0 || b > Integer.MAX_VALUE) throw invalid(key, c.getValue(key).unwrapped(), "must be between 1B and 2GiB, e.g. 1MiB");
        return (int) b;
    }

    /** A rate such as {@code "10 Mbit/s"}, in bits per second. */
    public long bandwidth(String key) {
        String raw = string(key);
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

    /** A rate in the largest unit that states it exactly, e.g. "10 Mbit/s". */
    public static String rate(long bps) {
        if (bps % 1_000_000_000L == 0) return bps / 1_000_000_000L + " Gbit/s";
        if (bps % 1_000_000L == 0) return bps / 1_000_000L + " Mbit/s";
        if (bps % 1_000L == 0) return bps / 1_000L + " kbit/s";
        return bps + " bit/s";
    }
}
