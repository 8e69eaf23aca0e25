package io.redoubt.paxos;

import io.redoubt.lm.Bytes;
import io.redoubt.paxos.PaxosMessage.SlotReport;
import java.util.List;

/**
 * What a new leader proposes, after phase 1, in each slot it must fill. Safety rests on this one
 * rule (Lamport, Paxos Made Simple, section 2.2, P2c: propose the value accepted in the highest
 * ballot among a majority, or any value if none accepted one; Lane 2008, section 2.2.1), so
 * {@link #PAXOS} is the only correct policy and the one every production core uses. The seam
 * exists so that tests can give a core a broken rule and watch the checkers catch it, without
 * subclassing the core.
 */
@FunctionalInterface
public interface RecoveryPolicy {
    /**
     * @param slot an open slot at or after the new leader's first undecided one
     * @param highestAccepted among the majority's promises, a report of the slot as decided or
     *     else the one accepted in the highest view; null if none of them accepted a value there
     * @return the batch to propose in {@code slot}; an empty batch is a no-op
     */
    List<Bytes> valueToRepropose(long slot, SlotReport highestAccepted);

    /** P2c: re-propose what the majority reported, or fill the gap with a no-op. */
    RecoveryPolicy PAXOS = (slot, highestAccepted) -> highestAccepted == null ? List.of() : highestAccepted.value();
}
