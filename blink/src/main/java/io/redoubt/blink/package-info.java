/**
 * BLink (Lane 2008, section 4.4): logical links between logical machines built from virtual
 * (forwarder, peer) links. Today {@link io.redoubt.blink.RotatingLink} stands in: the local
 * leader forwards, and each retransmission leaves from the next server to the next peer. The BLink
 * issue replaces it (selection order, threshold-signed cumulative acknowledgements, forwarder
 * monitoring, fairness queues) behind the same {@code io.redoubt.lm.server.WideLink} interface.
 */
package io.redoubt.blink;
