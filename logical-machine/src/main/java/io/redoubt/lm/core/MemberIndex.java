package io.redoubt.lm.core;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The members of one protocol instance, by index, and this node's own index: what every core
 * checks first about a message (is its sender a member, and not this node itself).
 */
public final class MemberIndex<N> {
    private final List<N> members;
    private final Map<N, Integer> indexOf = new HashMap<>();
    private final int self;
    private final String protocol;

    /** @param protocol named in errors and rejections, e.g. "Paxos" */
    public MemberIndex(List<N> members, N self, String protocol) {
        if (members.isEmpty()) throw new IllegalArgumentException("a " + protocol + " instance needs at least one member");
        this.members = List.copyOf(members);
        this.protocol = protocol;
        for (int i = 0; i < members.size(); i++) {
            if (indexOf.put(members.get(i), i) != null) throw new IllegalArgumentException("duplicate member " + members.get(i));
        }
        Integer me = indexOf.get(self);
        if (me == null) throw new IllegalArgumentException(self + " is not a member of " + members);
        this.self = me;
    }

    public List<N> members() {
        return members;
    }

    public int self() {
        return self;
    }

    /** The index of {@code node}, or -1 if it is not a member; rejects nothing. */
    public int indexOf(N node) {
        Integer i = indexOf.get(node);
        return i == null ? -1 : i;
    }

    /** The index of {@code from}, or -1 once it has been rejected: not a member, or claiming to be this node. */
    public int sender(N from, Outbox<N> out) {
        Integer sender = indexOf.get(from);
        if (sender == null) {
            out.reject(from, Rejection.NOT_A_MEMBER, "not a member of this " + protocol + " instance");
            return -1;
        }
        if (sender == self) {
            out.reject(from, Rejection.PROTOCOL_VIOLATION, "message claims to come from this node");
            return -1;
        }
        return sender;
    }
}
