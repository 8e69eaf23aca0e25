/**
 * Shoup's threshold RSA signatures (V. Shoup, "Practical Threshold Signatures", Eurocrypt
 * 2000), the (f+1, 3f+1) site signature of a Byzantine logical machine (Lane 2008, sections
 * 2.2.3, 4.2 and 4.3) and the primitives of THRESHOLD-SIGN (Lane 2008, Figure 3.10).
 *
 * <p>Citations of Shoup 2000 name the paper's subsections by title: "The Dealer" (safe primes,
 * shares s_i, verification keys v, v_i), "Valid Signatures" (y^e = H(M)), "Generating a
 * Signature Share" (x_i and its proof of correctness) and "Combining Shares".
 *
 * <h2>Use</h2>
 * <ol>
 *   <li>Offline, once per site: {@link io.redoubt.lm.crypto.threshold.ThresholdDealer#deal}
 *       gives a {@link io.redoubt.lm.crypto.threshold.ThresholdPublicKey} for every server
 *       and a {@link io.redoubt.lm.crypto.threshold.KeyShare} for server i only. Other sites
 *       only need {@link io.redoubt.lm.crypto.threshold.RsaPublicKey} (n, e).</li>
 *   <li>GENERATE-PARTIAL-SIG: {@link io.redoubt.lm.crypto.threshold.ThresholdSigner#sign}
 *       (and {@link io.redoubt.lm.crypto.threshold.ThresholdSigner#prove}, now or on request).</li>
 *   <li>COMBINE and VERIFY with blame:
 *       {@link io.redoubt.lm.crypto.threshold.ThresholdCombiner#combine} returns a
 *       {@link io.redoubt.lm.crypto.threshold.CombineResult}: a signature, or whom to blame
 *       and whose proofs to fetch.</li>
 *   <li>Any site: {@link io.redoubt.lm.crypto.threshold.RsaPublicKey#verify}.</li>
 * </ol>
 *
 * <p>Nothing here does I/O, reads clocks or keeps state between calls; all randomness comes
 * from a {@link java.security.SecureRandom} the caller passes in
 * ({@link io.redoubt.lm.crypto.threshold.SeededSecureRandom} in tests and the simulator).
 * Exponentiations cost milliseconds at 2048 bits, so hosts run them off the actor thread
 * (ARCHITECTURE.md, section 6).
 */
package io.redoubt.lm.crypto.threshold;
