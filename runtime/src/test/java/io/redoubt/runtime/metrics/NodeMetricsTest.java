package io.redoubt.runtime.metrics;

import static io.redoubt.runtime.metrics.PrometheusText.render;
import static io.redoubt.runtime.metrics.PrometheusText.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.exec.SignedUpdate;
import io.redoubt.lm.server.Frame;
import io.redoubt.runtime.cluster.SiteMembers;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {
    private static final String S10 = "server=\"1.0\"";
    private static final ClientId C = ClientId.of(1, 0);

    private static Bytes request(ClientId client, long seq) {
        return new Frame.Request(new SignedUpdate(client, seq, Bytes.ofUtf8("put k v"), Bytes.ofUtf8("signature"))).encode();
    }

    private static Bytes reply(ClientId client, long seq) {
        return new Frame.Reply(client, seq, Bytes.ofUtf8("ok")).encode();
    }

    @Test
    void countersAndGaugesShowTheLatestSampleLabelledWithTheServer() {
        NodeMetrics m = new NodeMetrics(ServerId.of(1, 0));
        m.record(new NodeMetrics.Sample(7, 9, 2, 1, true, Map.of(), 3, 4, 5, 6, 2));
        String text = render(m.registry());
        assertEquals(7, value(text, "redoubt_executed_updates_total", S10));
        assertEquals(9, value(text, "redoubt_executed_events_total", S10));
        assertEquals(2, value(text, "redoubt_local_view", S10));
        assertEquals(1, value(text, "redoubt_wide_view", S10));
        assertEquals(1, value(text, "redoubt_local_leader", S10));
        assertEquals(3, value(text, "redoubt_lm_signatures_total", S10));
        assertEquals(4, value(text, "redoubt_signature_shares_total", S10));
        assertEquals(5, value(text, "redoubt_signature_share_proofs_total", S10));
        assertEquals(6, value(text, "redoubt_wide_messages_sent_total", S10));
        assertEquals(2, value(text, "redoubt_link_changes_total", S10));

        assertEquals(0, value(text, "redoubt_clink_sent_on_total", S10));

        m.record(new NodeMetrics.Sample(8, 11, 3, 1, false, Map.of(), 3, 4, 5, 7, 3, 12, 1, 4)); // a local view change, a link change
        text = render(m.registry());
        assertEquals(8, value(text, "redoubt_executed_updates_total", S10));
        assertEquals(3, value(text, "redoubt_local_view", S10));
        assertEquals(0, value(text, "redoubt_local_leader", S10));
        assertEquals(7, value(text, "redoubt_wide_messages_sent_total", S10));
        assertEquals(3, value(text, "redoubt_link_changes_total", S10));
        assertEquals(12, value(text, "redoubt_clink_sent_on_total", S10));
        assertEquals(1, value(text, "redoubt_clink_fallbacks_total", S10));
        assertEquals(4, value(text, "redoubt_clink_ordered_for_others_total", S10));
    }

    @Test
    void siteMembersAreAGaugeByStateAndAbsentWithoutACluster() {
        NodeMetrics m = new NodeMetrics(ServerId.of(1, 0));
        assertFalse(render(m.registry()).contains("redoubt_site_members{"), "no cluster, no series");
        m.siteMembers(new SiteMembers.View(true, Set.of(ServerId.of(1, 0), ServerId.of(1, 1)), Set.of(ServerId.of(1, 2)), 0));
        String text = render(m.registry());
        assertEquals(2, value(text, "redoubt_site_members", S10, "state=\"up\""));
        assertEquals(1, value(text, "redoubt_site_members", S10, "state=\"unreachable\""));
    }

    @Test
    void rejectionsAreCountedPerReasonAndEveryReasonIsExposed() {
        NodeMetrics m = new NodeMetrics(ServerId.of(1, 0));
        m.record(new NodeMetrics.Sample(0, 0, 0, 0, false, Map.of(Rejection.BAD_SIGNATURE, 3L, Rejection.STALE_VIEW, 12L), 0, 0, 0, 0, 0));
        String text = render(m.registry());
        assertEquals(3, value(text, "redoubt_rejections_total", S10, "reason=\"BAD_SIGNATURE\""));
        assertEquals(12, value(text, "redoubt_rejections_total", S10, "reason=\"STALE_VIEW\""));
        for (Rejection r : Rejection.values()) {
            if (r != Rejection.BAD_SIGNATURE && r != Rejection.STALE_VIEW) assertEquals(0, value(text, "redoubt_rejections_total", S10, "reason=\"" + r + "\""));
        }
    }

    @Test
    void transportCountersAreReadAtEachScrape() {
        NodeMetrics m = new NodeMetrics(ServerId.of(2, 1));
        AtomicLong dropped = new AtomicLong(4);
        AtomicLong refused = new AtomicLong(1);
        m.watchTransport(dropped::get, refused::get);
        assertEquals(4, value(render(m.registry()), "redoubt_transport_frames_dropped_total", "server=\"2.1\""));
        dropped.set(10);
        refused.set(2);
        String text = render(m.registry());
        assertEquals(10, value(text, "redoubt_transport_frames_dropped_total", "server=\"2.1\""));
        assertEquals(2, value(text, "redoubt_transport_connections_refused_total", "server=\"2.1\""));
    }

    @Test
    void twoServersInOneJvmKeepSeparateRegistries() {
        NodeMetrics a = new NodeMetrics(ServerId.of(1, 0));
        NodeMetrics b = new NodeMetrics(ServerId.of(1, 1));
        a.record(new NodeMetrics.Sample(5, 5, 0, 0, false, Map.of(), 0, 0, 0, 0, 0));
        String textB = render(b.registry());
        assertFalse(textB.contains(S10), textB);
        assertEquals(0, value(textB, "redoubt_executed_updates_total", "server=\"1.1\""));
        assertEquals(5, value(render(a.registry()), "redoubt_executed_updates_total", S10));
    }

    @Test
    void aRequestIsTimedFromArrivalToItsReplyAndOnlyOnce() {
        NodeMetrics m = new NodeMetrics(ServerId.of(1, 0));
        m.requestArrived(C, request(C, 1), 1_000_000_000L);
        m.requestArrived(C, request(C, 1), 1_500_000_000L); // a retransmission keeps the first arrival
        m.replySent(ClientId.of(1, 1), reply(ClientId.of(1, 1), 1), 1_600_000_000L); // another client's reply
        m.replySent(C, reply(C, 0), 1_700_000_000L); // an older reply
        m.replySent(C, reply(C, 1), 1_750_000_000L);
        m.replySent(C, reply(C, 1), 1_900_000_000L); // every server of the site may answer again: timed once
        m.requestArrived(C, request(C, 1), 2_000_000_000L); // a retransmission after the reply
        m.replySent(C, reply(C, 1), 2_001_000_000L);
        String text = render(m.registry());
        assertEquals(1, value(text, "redoubt_client_request_seconds_count", S10));
        assertEquals(0.75, value(text, "redoubt_client_request_seconds_sum", S10), 1e-9);
        assertEquals(0, value(text, "redoubt_client_request_seconds_bucket", S10, "le=\"0.512\""));
        assertEquals(1, value(text, "redoubt_client_request_seconds_bucket", S10, "le=\"1.024\""));

        m.requestArrived(C, request(C, 2), 3_000_000_000L);
        m.replySent(C, reply(C, 2), 3_004_000_000L);
        text = render(m.registry());
        assertEquals(2, value(text, "redoubt_client_request_seconds_count", S10));
        assertEquals(0.754, value(text, "redoubt_client_request_seconds_sum", S10), 1e-9);
    }

    @Test
    void whatIsNotAValidRequestOfItsSenderIsNotTimed() {
        NodeMetrics m = new NodeMetrics(ServerId.of(1, 0));
        m.requestArrived(C, Bytes.ofUtf8("garbage"), 0);
        m.requestArrived(C, reply(C, 1), 0);
        m.requestArrived(C, request(ClientId.of(1, 1), 1), 0); // an update of someone else
        // A copy marked as the client's retransmission left it a timeout after the update began.
        m.requestArrived(C, new Frame.Request(new SignedUpdate(C, 1, Bytes.ofUtf8("put k v"), Bytes.ofUtf8("signature")), true).encode(), 0);
        m.replySent(C, reply(C, 1), 1_000);
        m.replySent(ClientId.of(1, 1), reply(ClientId.of(1, 1), 1), 1_000);
        assertEquals(0, value(render(m.registry()), "redoubt_client_request_seconds_count", S10));
    }

    @Test
    void theTableOfTimedClientsIsBounded() {
        NodeMetrics m = new NodeMetrics(ServerId.of(1, 0));
        for (int i = 0; i < NodeMetrics.TIMED_CLIENTS_MAX; i++) m.requestArrived(ClientId.of(1, i), request(ClientId.of(1, i), 1), 0);
        ClientId oneTooMany = ClientId.of(1, NodeMetrics.TIMED_CLIENTS_MAX);
        m.requestArrived(oneTooMany, request(oneTooMany, 1), 0);
        m.replySent(oneTooMany, reply(oneTooMany, 1), 1_000);
        assertEquals(0, value(render(m.registry()), "redoubt_client_request_seconds_count", S10));
        m.replySent(C, reply(C, 1), 1_000); // a client already in the table is still timed, and moves on to its next request
        m.requestArrived(C, request(C, 2), 2_000);
        m.replySent(C, reply(C, 2), 3_000);
        String text = render(m.registry());
        assertEquals(2, value(text, "redoubt_client_request_seconds_count", S10));
        assertTrue(text.contains("# HELP redoubt_client_request_seconds "), text);
    }
}
