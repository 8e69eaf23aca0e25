package io.redoubt.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.server.Frame;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SiteMembersTest {
    @Test
    void aReportDecodesToWhatWasSent() throws DecodeException {
        SiteMembers.View v = new SiteMembers.View(true, Set.of(ServerId.of(2, 0), ServerId.of(2, 2)), Set.of(ServerId.of(2, 1)), 1);
        SiteMembers.Reported r = SiteMembers.decode(v.encode(42, ServerId.of(2, 0)));
        assertEquals(new SiteMembers.Reported(42, ServerId.of(2, 0), v), r);
        assertEquals(SiteMembers.View.OFF, SiteMembers.decode(SiteMembers.View.OFF.encode(1, ServerId.of(0, 0))).view());
    }

    @Test
    void anythingElseIsRefused() {
        Bytes report = SiteMembers.View.JOINING.encode(7, ServerId.of(0, 1));
        assertThrows(DecodeException.class, () -> SiteMembers.decode(new Frame.StatusRequest(7).encode()));
        assertThrows(DecodeException.class, () -> SiteMembers.decode(Bytes.wrap(java.util.Arrays.copyOf(report.unsafeArray(), report.length() - 1))));
        byte[] longer = java.util.Arrays.copyOf(report.unsafeArray(), report.length() + 1);
        assertThrows(DecodeException.class, () -> SiteMembers.decode(Bytes.wrap(longer)));
    }

    @Test
    void clusterPortsFollowTheOffsetAndStayPorts() {
        SiteCluster.Settings s = new SiteCluster.Settings(true, 1000);
        assertEquals(8105, s.clusterAddress(ServerId.of(0, 5), new io.redoubt.runtime.net.StreamTransport.Address("h", 7105)).port());
        assertThrows(IllegalArgumentException.class, () -> s.clusterAddress(ServerId.of(0, 0), new io.redoubt.runtime.net.StreamTransport.Address("h", 65_000)));
    }
}
