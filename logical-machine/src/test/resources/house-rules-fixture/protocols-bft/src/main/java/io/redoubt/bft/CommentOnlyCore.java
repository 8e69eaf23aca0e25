package io.redoubt.bft;

/**
 * Takes time as an input: the host reads System.currentTimeMillis() once per cycle and passes
 * it in, so this core never calls System.nanoTime or new java.util.Random() itself.
 */
public final class CommentOnlyCore {
    // Not synchronized: one Thread drives a core.
    private long nowMillis;

    /* Instant.now() is the host's business. */
    public void onTick(long nowMillis) {
        this.nowMillis = nowMillis;
    }

    public String describe() {
        return "no System.currentTimeMillis here, no Thread.sleep " + '"' + """
                nor Math.random() in a "text block"
                """ + nowMillis;
    }
}
