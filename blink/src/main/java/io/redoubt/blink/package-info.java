/**
 * BLink (Lane 2008, section 4.4): logical links between logical machines built from virtual
 * (forwarder, peer) links, behind the {@code io.redoubt.lm.server.WideLink} interface.
 *
 * <ul>
 *   <li>{@link io.redoubt.blink.BLinkState} is the part the logical machine executes (an
 *       {@code io.redoubt.lm.exec.LinkLayer}): per destination an {@link io.redoubt.blink.OutgoingLink}
 *       (link sequence numbers, the unacknowledged queue, cumulative acknowledgements, the move
 *       along the selection order {@link io.redoubt.blink.SelectionOrder}), and per source an
 *       {@link io.redoubt.blink.IncomingLink} (each message exactly once, the acknowledgement to
 *       send).</li>
 *   <li>{@link io.redoubt.blink.BLink} is one server's part: it pairs each message with its link
 *       header under the batch's Merkle root, sends as the forwarder of a link's current virtual
 *       link (and resends what stays unacknowledged), and takes frames in as a peer.</li>
 *   <li>{@link io.redoubt.blink.LinkFaultSearch} checks P against Table 4.1;
 *       {@link io.redoubt.blink.RotatingLink} is the stand-in BLink replaced, kept to compare
 *       against ({@code redoubt.blink.enabled = off}).</li>
 * </ul>
 *
 * A link with a Byzantine end follows P; a link between two benign machines has its forwarder
 * skip peers itself, the site replacing only a forwarder that stops acting (section 4.4.2,
 * {@link io.redoubt.blink.OutgoingLink#onPeerExpired}).
 *
 * A peer submits what it takes in to its site's local core, which passes it to every server of
 * the site; PBFT queues it in a lane per incoming link and source (section 4.4.1, "Fairness").
 *
 * Still to come: resending after a move under the signatures the site made before rather than in
 * a newly signed batch.
 */
package io.redoubt.blink;
