package io.redoubt.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.redoubt.lm.Bytes;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.SiteId;
import io.redoubt.lm.crypto.KeyDirectory;
import io.redoubt.lm.crypto.SignatureScheme;
import io.redoubt.lm.sign.CryptoJob;
import io.redoubt.lm.sign.CryptoResult;
import io.redoubt.lm.sign.LmKeyring;
import io.redoubt.lm.sign.SiteSigning;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Pekko host's crypto pool: the caller (the actor) never computes a partial and never waits for one. */
class CryptoPoolTest {
    static final ServerId SERVER = ServerId.of(0, 1);
    static final Bytes ROOT = Bytes.ofUtf8("a batch root, 32 bytes long.....");

    @Test
    void aThresholdPartialIsComputedOnAPoolThreadAndOffloadReturnsBeforeItRuns() throws Exception {
        KeyDirectory keys = new KeyDirectory(SignatureScheme.named("ed25519"), Bytes.ofUtf8("crypto-pool-test"));
        LmKeyring ring = new LmKeyring(keys, Map.of(SiteId.of(0), new LmKeyring.SiteSpec(4, 1, LmKeyring.Kind.THRESHOLD)), 512, true);
        SiteSigning.Shared signing = (SiteSigning.Shared) ring.signingFor(SERVER);
        LinkedBlockingQueue<CryptoResult> results = new LinkedBlockingQueue<>();
        CryptoPool pool = new CryptoPool(SERVER, 1, results::add, (job, e) -> {});
        try {
            CountDownLatch release = new CountDownLatch(1);
            ConcurrentLinkedQueue<String> ranOn = new ConcurrentLinkedQueue<>();
            CryptoJob job = CryptoJob.making(0, CryptoJob.Kind.SHARE, ROOT, SERVER, () -> {
                ranOn.add(Thread.currentThread().getName());
                await(release);
                return signing.share(ROOT);
            });
            pool.offload(job); // returns while the job is held: the caller did not run it
            assertTrue(results.isEmpty());
            release.countDown();
            CryptoResult r = results.poll(30, TimeUnit.SECONDS);
            assertEquals(job, r.job());
            assertEquals(signing.share(ROOT), r.value(), "the partial the node would have computed itself");
            String thread = ranOn.peek();
            assertNotEquals(Thread.currentThread().getName(), thread);
            assertTrue(thread.startsWith("redoubt-crypto-" + SERVER + "-"), thread);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aFullPoolBacklogsJobsFirstInFirstOutAndDropsTheOnesNoLongerWanted() throws Exception {
        LinkedBlockingQueue<CryptoResult> results = new LinkedBlockingQueue<>();
        CryptoPool pool = new CryptoPool(SERVER, 1, results::add, (job, e) -> {});
        try {
            CountDownLatch release = new CountDownLatch(1);
            int room = 1 + CryptoPool.QUEUE_PER_THREAD; // one running, the queue full
            for (int i = 0; i < room; i++) {
                pool.offload(CryptoJob.making(i, CryptoJob.Kind.SHARE, ROOT, SERVER, () -> {
                    await(release);
                    return Bytes.ofUtf8("share");
                }));
            }
            assertEquals(0, pool.backlogSize());
            for (int i = room; i < room + 3; i++) pool.offload(CryptoJob.making(i, CryptoJob.Kind.PROOF, ROOT, SERVER, () -> Bytes.ofUtf8("proof")));
            assertEquals(3, pool.backlogSize(), "refused by the full pool, kept, not run by the caller");
            assertEquals(3, pool.backlogged());
            release.countDown();
            for (int i = 0; i < room; i++) results.poll(30, TimeUnit.SECONDS);
            Set<Long> stale = Set.of((long) room + 1);
            pool.feed(job -> !stale.contains(job.id()));
            assertEquals(0, pool.backlogSize());
            List<Long> ran = List.of(results.poll(30, TimeUnit.SECONDS).job().id(), results.poll(30, TimeUnit.SECONDS).job().id());
            assertEquals(List.of((long) room, (long) room + 2), ran, "in order, the unwanted one dropped unrun");
            assertFalse(results.poll(200, TimeUnit.MILLISECONDS) != null);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void aJobThatThrowsIsReportedNotLost() throws Exception {
        LinkedBlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
        CryptoPool pool = new CryptoPool(SERVER, 1, r -> {}, (job, e) -> failures.add(e));
        try {
            pool.offload(CryptoJob.making(0, CryptoJob.Kind.SHARE, ROOT, SERVER, () -> {
                throw new IllegalStateException("boom");
            }));
            assertEquals("boom", failures.poll(30, TimeUnit.SECONDS).getMessage());
        } finally {
            pool.shutdown();
        }
    }

    static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
