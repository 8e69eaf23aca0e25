package io.redoubt.bft;

import io.redoubt.bft.PbftMessage.Commit;
import io.redoubt.bft.PbftMessage.PrePrepare;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.core.Outbox;
import io.redoubt.lm.core.Quorums;
import java.util.List;
import java.util.NavigableMap;

/**
 * Where a PBFT member may depart from the protocol: the few decisions in which the simulator's and
 * the tests' Byzantine members differ from a correct one. A {@link PbftCore} built without one
 * behaves correctly ({@link #correct()}); an adversary (package {@code io.redoubt.bft.adversary})
 * or a deliberately broken test variant passes its own, so it runs the real core and lies in one
 * precise way. Nothing in a deployment passes anything else.
 *
 * <p>A core calls its behavior during the input that needs it, never concurrently, and one
 * instance serves one core: a behavior may keep state of its own.
 *
 * @param <N> node identity type
 */
public interface PbftBehavior<N> {

    /** What a behavior may use of the member it steers: the members, its own index, its outbox and key. */
    interface Member<N> {
        int memberCount();

        int selfIndex();

        N member(int index);

        Outbox<N> outbox();

        /** A pre-prepare signed by this member (an equivocator signs a second one for the same slot). */
        PrePrepare signPrePrepare(long view, long sequence, List<Bytes> batch);

        /** A commit signed by this member, for whatever it pleases to vote for. */
        Commit signCommit(long view, long sequence, Bytes batchDigest);

        /** Sends {@code message} to every other member. */
        void broadcast(PbftMessage message);

        /** {@code unsigned} signed by this member (a forger signs its own messages, whatever it puts inside them). */
        <M extends PbftMessage> M sign(M unsigned);
    }

    /** The protocol as written. */
    static <N> PbftBehavior<N> correct() {
        return new PbftBehavior<>() {};
    }

    /**
     * The quorum of a group of {@code n} members, asked once at construction. Correct:
     * {@link Quorums#byzantineQuorum}, {@code 2f + 1} of {@code 3f + 1} (OSDI '99, section 4.1).
     */
    default int quorum(int n) {
        return Quorums.byzantineQuorum(n);
    }

    /** Sees every decoded message as it arrives, before the core validates or handles it. */
    default void observe(N from, PbftMessage message, Member<N> self) {}

    /** As primary: whether {@code payload} of member {@code source} may be proposed now (Lane 2008, section 4.4.1). */
    default boolean mayPropose(int source, Bytes payload) {
        return true;
    }

    /**
     * As primary: the batch it assigns to slot {@code sequence} of {@code view}, given the one its
     * queues made. Correct: that one. A faulty primary may put anything in a batch: the backups
     * check only its size and digest, and whoever executes the batch checks its contents.
     */
    default List<Bytes> batch(long view, long sequence, List<Bytes> batch) {
        return batch;
    }

    /**
     * Test seam: whether a backup that already holds a pre-prepare for a slot of the current view
     * takes a different one for the same slot in its place. Correct: never; a backup accepts a
     * pre-prepare only if it has accepted no other for that view and sequence number (OSDI '99,
     * section 4.2). Only the tests' deliberately broken members answer true.
     */
    default boolean replacesHeldPrePrepare() {
        return false;
    }

    /**
     * Test seam: the O set of a new view (OSDI '99, section 4.4) from a quorum of valid view-change
     * votes, slot to batch. Correct: from the highest stable checkpoint among the votes to the
     * highest prepared slot, the batch of the prepared certificate with the highest view, and the
     * null batch where no vote holds one. A core asks it both as new primary and when it checks a
     * new view, so a planted variant agrees with itself; a correct member still refuses a new view
     * built any other way. Only tests pass anything but the default.
     */
    default NavigableMap<Long, List<Bytes>> newViewBatches(List<PbftMessage.ViewChange> votes) {
        return PbftViewChange.computeNewViewBatches(votes);
    }

    /** As primary: sends its pre-prepare for a slot to the backups (OSDI '99, section 4.2). */
    default void sendPrePrepare(PrePrepare prePrepare, Member<N> self) {
        self.broadcast(prePrepare);
    }
}
