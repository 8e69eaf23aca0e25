/**
 * BLink (Lane 2008, section 4.4): logical links between logical machines built from virtual
 * (forwarder, peer) links, with a selection order, threshold-signed cumulative acknowledgements
 * and fairness queues. Empty until the BLink issue; meanwhile {@code ServerNode} uses a simple
 * forwarder-to-peer link.
 */
package io.redoubt.blink;
