package io.redoubt.blink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.crypto.merkle.LmEnvelopePart;
import io.redoubt.lm.crypto.merkle.LmMessageVerifier;
import io.redoubt.lm.exec.LmHost;
import io.redoubt.lm.server.WideLink;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RotatingLinkTest {
    private static final SiteId A = new SiteId(0);
    private static final SiteId B = new SiteId(1);

    private static WideLink linkAt(ServerId self, ServerId leader) {
        return RotatingLink.FACTORY.create(self, Map.of(A, 3, B, 4), java.util.Set.of(), 16, new WideLink.Host() {
            @Override
            public void setTimer(io.redoubt.lm.core.TimerId timer, long delayMillis) {
                throw new AssertionError("the stand-in arms no timers of its own: " + timer);
            }

            public ServerId localLeader() {
                return leader;
            }

            public void sendToServer(ServerId to, Bytes frame) {}

            public LmMessageVerifier.Verdict verify(SiteId from, LmEnvelopePart envelope) {
                throw new AssertionError("not used");
            }

            public void reject(Object from, Rejection reason, String detail) {}
        });
    }

    @Test
    void aBatchSentAgainMovesToTheNextForwarderAndCountsAsALinkChange() {
        ServerId leader = new ServerId(A, 1);
        WideLink atLeader = linkAt(leader, leader);
        WideLink atNext = linkAt(new ServerId(A, 2), leader);
        List<LmHost.Outgoing> batch = List.of(new LmHost.Outgoing(B, Bytes.ofUtf8("accept v=1 s=5")));

        assertEquals(0, atLeader.noteAttempt(batch));
        assertTrue(atLeader.isForwarder(0), "the local leader forwards first");
        assertFalse(atNext.isForwarder(0));
        assertEquals(0, atLeader.linkChanges());

        assertEquals(1, atLeader.noteAttempt(batch), "the same batch again is the second attempt");
        assertTrue(atNext.isForwarder(1), "the next server forwards the second attempt");
        assertFalse(atLeader.isForwarder(1));
        assertEquals(1, atLeader.linkChanges());

        assertEquals(0, atLeader.noteAttempt(List.of(new LmHost.Outgoing(B, Bytes.ofUtf8("accept v=1 s=6")))), "a new batch starts over");
        assertEquals(1, atLeader.linkChanges());
    }

    @Test
    void aSitesNextMessagesGoToThePeerTheLastResendReached() {
        ServerId leader = new ServerId(A, 1);
        List<ServerId> sentTo = new java.util.ArrayList<>();
        WideLink link = RotatingLink.FACTORY.create(leader, Map.of(A, 3, B, 4), java.util.Set.of(), 16, new WideLink.Host() {
            @Override
            public void setTimer(io.redoubt.lm.core.TimerId timer, long delayMillis) {
                throw new AssertionError("the stand-in arms no timers of its own: " + timer);
            }

            public ServerId localLeader() {
                return leader;
            }

            public void sendToServer(ServerId to, Bytes frame) {
                sentTo.add(to);
            }

            public LmMessageVerifier.Verdict verify(SiteId from, LmEnvelopePart envelope) {
                throw new AssertionError("not used");
            }

            public void reject(Object from, Rejection reason, String detail) {}
        });
        List<LmHost.Outgoing> first = List.of(new LmHost.Outgoing(B, Bytes.ofUtf8("prepare v=1 s=5")));
        forward(link, first);
        assertEquals(new ServerId(B, 0), sentTo.get(0));
        forward(link, first); // not answered: sent again, to the next peer
        assertEquals(new ServerId(B, 1), sentTo.get(1));
        forward(link, List.of(new LmHost.Outgoing(B, Bytes.ofUtf8("commit v=1 s=5"))));
        assertEquals(new ServerId(B, 1), sentTo.get(2), "a new message goes where the resend went, not back to server 0");
    }

    /** What a server does with a batch its logical machine output: count the attempt, then forward it under a stand-in signature. */
    private static void forward(WideLink link, List<LmHost.Outgoing> batch) {
        int attempt = link.noteAttempt(batch);
        List<Bytes> distinct = batch.stream().map(LmHost.Outgoing::message).distinct().toList();
        link.forward(new io.redoubt.lm.sign.LmSigner.Batch(batch, distinct, io.redoubt.lm.crypto.merkle.MerkleBatch.of(distinct), attempt),
                new io.redoubt.lm.crypto.merkle.LmSignature("test", Bytes.ofUtf8("signature")));
    }
}
