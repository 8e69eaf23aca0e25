package io.redoubt.lm.sign;

import io.redoubt.lm.Bytes;
import java.util.Objects;

/**
 * What a {@link CryptoJob} computed, handed back to the server that issued it as an input.
 *
 * @param value the share or proof ({@link CryptoJob.Kind#SHARE}, {@link CryptoJob.Kind#PROOF}); null for a check
 * @param proofFails for {@link CryptoJob.Kind#CHECK_PROOF}: the proof does not hold, so it is evidence of a bad partial
 */
public record CryptoResult(CryptoJob job, Bytes value, boolean proofFails) {
    public CryptoResult {
        Objects.requireNonNull(job, "job");
    }
}
