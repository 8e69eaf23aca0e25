/**
 * PBFT (Castro and Liskov; Lane 2008, section 2.2.2) as a pure ordering core for both tiers,
 * implementing {@link io.redoubt.lm.core.OrderingCore}. Empty until the Byzantine logical
 * machines issue: this module exists now so that the dependency layout is fixed.
 */
package io.redoubt.bft;
