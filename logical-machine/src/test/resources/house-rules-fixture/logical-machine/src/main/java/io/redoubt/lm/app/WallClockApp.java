package io.redoubt.lm.app;

/** Not core code (io.redoubt.lm.app): the house rules do not apply here. */
public final class WallClockApp {
    public long now() {
        return System.currentTimeMillis();
    }
}
