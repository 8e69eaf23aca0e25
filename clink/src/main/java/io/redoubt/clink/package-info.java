/**
 * CLink (Lane 2008, section 4.5): CLink-Opt and CLink-Order, which bring client updates into a
 * logical machine. Empty until the CLink issue; meanwhile a server submits each client update for
 * local ordering, and clients retransmit to the next server of their site.
 */
package io.redoubt.clink;
