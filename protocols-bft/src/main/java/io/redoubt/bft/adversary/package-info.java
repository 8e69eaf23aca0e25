/**
 * Byzantine PBFT members for the simulator's {@code --faults byzantine} campaigns and for tests:
 * each is a {@link io.redoubt.bft.PbftCore} that lies in one precise way. Nothing in a deployment
 * builds them; they live here, beside the core they subvert, so that the protocol's own tests and
 * the simulator attack it with the same code.
 */
package io.redoubt.bft.adversary;
