package io.redoubt.paxos;

/** Draws from an unseeded random source owned by nobody. */
public final class DiceCore {
    private final java.util.Random dice = new java.util.Random();

    public int roll() {
        return dice.nextInt(6);
    }
}
