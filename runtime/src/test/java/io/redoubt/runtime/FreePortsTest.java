package io.redoubt.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Local ports for servers that may crash and restart on the same port: outside the kernel's
 * ephemeral range, so that no reconnecting peer takes one as its local port while its server is
 * down, and low enough that the port plus the default cluster port offset is a port too.
 */
class FreePortsTest {
    @Test
    void portsAreDistinctOutsideTheEphemeralRangeAndLeaveRoomForTheClusterPort() throws Exception {
        List<Integer> ports = LocalDeployment.freePorts(20);
        assertEquals(20, new HashSet<>(ports).size(), ports::toString);
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int low = 32768, high = 60999;
        if (Files.exists(range)) { // Linux: the kernel's own range (read as the code must: /proc files report size 0)
            try (InputStream in = Files.newInputStream(range)) {
                String[] r = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+");
                low = Integer.parseInt(r[0]);
                high = Integer.parseInt(r[1]);
            }
        }
        for (int p : ports) {
            int l = low, h = high;
            if (low - 10_000 >= 1_000) {
                assertTrue(p >= 10_000 && p < low, () -> p + " not below the ephemeral range " + l + ".." + h + ", which leaves room: " + ports);
            } else if (64_536 - (high + 1) >= 1_000) {
                assertTrue(p > high, () -> p + " inside the ephemeral range " + l + ".." + h + ": " + ports);
            }
            assertTrue(p >= 1_024 && p + 1_000 <= 65_535, () -> p + ": no room for its cluster port");
        }
    }
}
