package io.redoubt.sim;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.Digests;
import io.redoubt.lm.crypto.threshold.SeededSecureRandom;
import io.redoubt.lm.crypto.threshold.ThresholdDealer;
import io.redoubt.lm.crypto.threshold.ThresholdKeyMaterial;
import io.redoubt.lm.crypto.threshold.ThresholdParameters;
import io.redoubt.lm.sign.LmKeyring;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulator's threshold-RSA dealer: one key per site and parameter set (k, l, modulus bits),
 * dealt from a fixed secret once per process and shared by every run, instead of a key per seed.
 * Finding safe primes cost every seed of a Byzantine campaign about as much as a tenth of its run.
 *
 * <p>Nothing the campaigns check depends on which key a site holds: the adversaries never learn a
 * correct server's share (faulty servers hold only their own, whatever the key), and forging is
 * assumed impossible rather than tried. What varies from seed to seed (faults, adversaries,
 * schedules, every signed message) still does; the RSA arithmetic itself is tested with many keys
 * in logical-machine's threshold tests. A seed still reproduces its run exactly.
 */
final class SharedThresholdKeys implements LmKeyring.Dealer {
    static final SharedThresholdKeys INSTANCE = new SharedThresholdKeys();

    private record Key(SiteId site, ThresholdParameters parameters) {}

    private final ConcurrentHashMap<Key, ThresholdKeyMaterial> dealt = new ConcurrentHashMap<>();

    private SharedThresholdKeys() {}

    @Override
    public ThresholdKeyMaterial deal(SiteId site, ThresholdParameters parameters) {
        return dealt.computeIfAbsent(new Key(site, parameters), SharedThresholdKeys::dealNow);
    }

    private static ThresholdKeyMaterial dealNow(Key key) {
        ThresholdParameters p = key.parameters();
        String label = "redoubt simulator threshold key/" + key.site() + "/k=" + p.threshold() + "/l=" + p.servers() + "/bits=" + p.modulusBits();
        var random = SeededSecureRandom.fromSeed(Digests.sha256(Bytes.wrap(label.getBytes(StandardCharsets.UTF_8))));
        return p.insecure() ? ThresholdDealer.dealInsecureForTests(p, random) : ThresholdDealer.deal(p, random);
    }
}
