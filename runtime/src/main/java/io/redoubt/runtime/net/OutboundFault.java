package io.redoubt.runtime.net;

import io.redoubt.lm.Bytes;
import java.util.SplittableRandom;

/**
 * What a faulty server does to what it sends, for running real servers with adversaries in place
 * (as the simulator's {@code --faults byzantine} does): a correct server has none. A fault sees
 * each outgoing frame and returns what actually leaves, or null for nothing.
 */
public interface OutboundFault {
    Bytes apply(Bytes frame);

    /** Receives everything, sends nothing. */
    OutboundFault SILENT = frame -> null;

    /** Half of what it sends has a few bytes flipped (seeded, so a run can be repeated). */
    static OutboundFault garbage(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return frame -> {
            if (frame.length() == 0 || random.nextInt(2) == 0) return frame;
            byte[] b = frame.toArray();
            int flips = 1 + random.nextInt(3);
            for (int k = 0; k < flips; k++) b[random.nextInt(b.length)] ^= (byte) (1 + random.nextInt(255));
            return Bytes.wrap(b);
        };
    }

    /** Parses {@code silent} or {@code garbage}. */
    static OutboundFault parse(String name, long seed) {
        return switch (name) {
            case "silent" -> SILENT;
            case "garbage" -> garbage(seed);
            default -> throw new IllegalArgumentException("'" + name + "' is not a server fault; valid: silent, garbage");
        };
    }
}
