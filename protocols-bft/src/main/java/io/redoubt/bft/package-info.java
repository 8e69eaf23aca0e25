/**
 * PBFT (Castro and Liskov, OSDI '99 and TOCS 2002; Lane 2008, section 2.2.2) as a pure ordering
 * core for both tiers, implementing {@link io.redoubt.lm.core.OrderingCore}: among the 3f+1
 * servers of a site, and among 3F+1 (or more) sites acting as logical machines (section 4.3).
 *
 * <ul>
 *   <li>{@link io.redoubt.bft.PbftCore}: the protocol's entry point, which runs the normal case
 *       and routes everything else to one package-private part per section: the log and
 *       watermarks ({@code PbftLog}), checkpoints ({@code PbftCheckpoints}), state transfer with
 *       proofs ({@code PbftStateTransfer}), view change with re-validated new views
 *       ({@code PbftViewChange}), the per-source fairness queues and request timers of sections
 *       4.4.1 and 4.5 ({@code PbftRequestQueues}), and signature and certificate checks
 *       ({@code PbftCertificates}).</li>
 *   <li>{@link io.redoubt.bft.PbftBehavior}: where a Byzantine member departs from the protocol;
 *       the adversaries of {@code io.redoubt.bft.adversary} are behaviors.</li>
 *   <li>{@link io.redoubt.bft.PbftMessage}: signed messages and their bounded canonical decoding.</li>
 *   <li>{@link io.redoubt.bft.PbftRecord}: what is persisted before it is revealed.</li>
 *   <li>{@link io.redoubt.bft.PbftConfig}, {@link io.redoubt.bft.PbftFactory} and
 *       {@link io.redoubt.bft.NodeKeys} (the signing capability the host passes in).</li>
 * </ul>
 */
package io.redoubt.bft;
