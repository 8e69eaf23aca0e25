/**
 * Byzantine PBFT members for the simulator's {@code --faults byzantine} campaigns and for tests:
 * each is a {@link io.redoubt.bft.PbftBehavior} with which the real {@link io.redoubt.bft.PbftCore}
 * lies in one precise way, and a {@code create} factory for such a core. Nothing in a deployment
 * builds them; they live here, beside the core they subvert, so that the protocol's own tests and
 * the simulator attack it with the same code.
 */
package io.redoubt.bft.adversary;
