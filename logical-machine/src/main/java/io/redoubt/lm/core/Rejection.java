package io.redoubt.lm.core;

/**
 * Why an input from another node was dropped. Hosts count rejections per reason and trace them;
 * a core never throws because of what another node sent.
 */
public enum Rejection {
    /** The bytes are not a valid encoding of any message. */
    MALFORMED,
    /** A signature did not verify, or the claimed signer is not who may sign this. */
    BAD_SIGNATURE,
    /** The sender is not a member of this protocol instance. */
    NOT_A_MEMBER,
    /** The message belongs to a view or ballot older than the one this node is in. */
    STALE_VIEW,
    /** The message refers to a sequence number outside the window this node accepts. */
    OUT_OF_WINDOW,
    /** A bounded queue or table is full; the input was shed rather than let grow. */
    OVERLOADED,
    /** The message contradicts the protocol (e.g. a proposal from a node that does not lead the view). */
    PROTOCOL_VIOLATION,
    /** A client update or event is not acceptable (wrong site, bad sequence, unknown client). */
    INVALID_REQUEST
}
