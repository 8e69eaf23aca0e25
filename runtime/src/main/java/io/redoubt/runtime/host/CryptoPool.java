package io.redoubt.runtime.host;

import io.redoubt.lm.ServerId;
import io.redoubt.lm.sign.CryptoJob;
import io.redoubt.lm.sign.CryptoResult;
import java.util.ArrayDeque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One server's threads for the cryptography its node offloads (threshold partials, proofs, proof
 * checks; {@link io.redoubt.lm.server.ServerIo#offload}): a fixed pool with a bounded queue, so
 * the actor thread never computes them and never waits for them.
 *
 * <p>When the queue is full, a job waits in a backlog kept by the caller's thread (the actor),
 * first in, first out, and is fed to the pool as results come back ({@link #feed}); a backlogged
 * job the node no longer wants (its round dropped, its signature combined) is dropped there
 * without costing CPU. Not caller-runs: the caller is the actor, and a 10 ms proof there stalls
 * every input of the server; not blocking, for the same reason. The backlog is bounded by what
 * the node keeps in flight (its recent rounds, a share, a proof and n proof checks each).
 *
 * <p>{@link #offload} and {@link #feed} are for the owner's thread only; results and failures
 * are handed to the callbacks on pool threads (the actor turns them into messages to itself).
 */
public final class CryptoPool {
    /** Jobs the pool's queue holds per thread; more wait in the backlog, where stale ones can still be dropped. */
    static final int QUEUE_PER_THREAD = 4;

    private final ThreadPoolExecutor pool;
    private final Consumer<CryptoResult> done;
    private final BiConsumer<CryptoJob, Throwable> failed;
    private final ArrayDeque<CryptoJob> backlog = new ArrayDeque<>();
    private final AtomicLong backlogged = new AtomicLong();
    private final AtomicLong backlogSize = new AtomicLong();

    /** The default size: every core but one, which the actors and the transport keep. */
    public static int defaultThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
    }

    public CryptoPool(ServerId server, int threads, Consumer<CryptoResult> done, BiConsumer<CryptoJob, Throwable> failed) {
        if (threads < 1) throw new IllegalArgumentException("crypto threads must be at least 1, was " + threads);
        this.done = done;
        this.failed = failed;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(threads * QUEUE_PER_THREAD), r -> {
            Thread t = new Thread(r, "redoubt-crypto-" + server + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
    }

    /** Hands {@code job} to the pool, or to the backlog if the pool is full or others already wait. Returns at once. */
    public void offload(CryptoJob job) {
        if (!backlog.isEmpty() || !submit(job)) {
            backlog.addLast(job);
            backlogged.incrementAndGet();
            backlogSize.set(backlog.size());
        }
    }

    /** Moves backlogged jobs that are still {@code wanted} into the pool while it has room; drops the others. */
    public void feed(Predicate<CryptoJob> wanted) {
        for (CryptoJob job; (job = backlog.peekFirst()) != null; ) {
            if (wanted.test(job) && !submit(job)) break;
            backlog.pollFirst();
        }
        backlogSize.set(backlog.size());
    }

    private boolean submit(CryptoJob job) {
        try {
            pool.execute(() -> {
                CryptoResult r;
                try {
                    r = job.run();
                } catch (RuntimeException | Error e) {
                    failed.accept(job, e);
                    return;
                }
                done.accept(r);
            });
            return true;
        } catch (RejectedExecutionException fullOrShutDown) {
            return false;
        }
    }

    /** Jobs waiting in the backlog now; safe from any thread. */
    public long backlogSize() {
        return backlogSize.get();
    }

    /** Jobs that ever found the pool full and waited; safe from any thread. */
    public long backlogged() {
        return backlogged.get();
    }

    /** Stops the threads; a running job finishes and its result goes nowhere useful (the server stopped). */
    public void shutdown() {
        pool.shutdownNow();
    }
}
