package io.redoubt.lm.core;

import io.redoubt.lm.Bytes;
import java.util.List;

/**
 * Builds one ordering core. A composition names two factories, one per tier (section 4.3); the
 * logical machine never knows which protocol it runs.
 */
public interface CoreFactory {
    /** A short name for traces and reports, e.g. "paxos". */
    String protocolName();

    /** Builds a core over {@code members}, restored from {@code persisted} records. */
    <N extends Comparable<N>> OrderingCore<N> create(List<N> members, N self, Outbox<N> out, List<Bytes> persisted);
}
