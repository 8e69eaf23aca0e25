/**
 * BLink (Lane 2008, section 4.4): logical links between logical machines built from virtual
 * (forwarder, peer) links. Today {@link io.redoubt.blink.RotatingLink} carries the traffic: the
 * local leader forwards, and each retransmission leaves from the next server to the next peer.
 * The BLink issue replaces it behind the same {@code io.redoubt.lm.server.WideLink} interface.
 * Its parts so far: the selection order P ({@link io.redoubt.blink.SelectionOrder}, checked
 * against Table 4.1 by {@link io.redoubt.blink.LinkFaultSearch}) and the two ends of a logical
 * link as the logical machine executes them ({@link io.redoubt.blink.OutgoingLink}: link sequence
 * numbers, the unacknowledged queue, cumulative acknowledgements, the move to the next virtual
 * link; {@link io.redoubt.blink.IncomingLink}: each message once and in order, the acknowledgement
 * to sign). Still to come: wiring both into the logical machine's state, the LM-signed
 * acknowledgement message and its LM timeout, the expiry notices, the fairness queues.
 */
package io.redoubt.blink;
