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
 * to sign). Every server of a sending site already holds the signature its site made on a
 * batch (THRESHOLD-SIGN passes the combined signature around), so any of them can resend it.
 *
 * <p>Still to come, in this order:
 * <ol>
 *   <li>A link layer in the logical machine's state (an interface in logical-machine, implemented
 *       here): each wide-area message leaves as a leaf Data(to, link sequence number, message)
 *       under the batch's Merkle root, so the site's signature covers the sequence number; the
 *       incoming side delivers each once and in order.</li>
 *   <li>Cumulative acknowledgements as LM messages, made on an LM timeout per incoming link and
 *       carried back along the reverse virtual link.</li>
 *   <li>Monitoring: each sending server times its link's first unacknowledged message (from
 *       {@code OutgoingLink#monitoring}); f+1 expiry notices make an ordered event that calls
 *       {@code onHeadExpired}, so every correct server moves to the next virtual link alike.</li>
 *   <li>The forwarder of the current virtual link sends (and after a change resends from the
 *       acknowledged point, under the stored signatures); the peer disseminates to its site;
 *       every server submits through one fair queue per incoming link.</li>
 *   <li>Then the wide-area cores' own retransmissions can slow down.</li>
 * </ol>
 * The yardstick is {@code --faults byzantine-links}: with the stand-in, bft/bft needs about 37,000
 * virtual-link changes over 200 seeds; BLink should need a few per faulty link.
 */
package io.redoubt.blink;
