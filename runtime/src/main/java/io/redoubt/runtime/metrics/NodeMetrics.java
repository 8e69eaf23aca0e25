package io.redoubt.runtime.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import io.redoubt.lm.Bytes;
import io.redoubt.lm.ClientId;
import io.redoubt.lm.ServerId;
import io.redoubt.lm.codec.DecodeException;
import io.redoubt.lm.core.Rejection;
import io.redoubt.lm.server.Frame;
import io.redoubt.lm.server.ServerNode;
import io.redoubt.runtime.cluster.SiteMembers;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * One server's metrics in its own {@link PrometheusRegistry} (several servers share a JVM in
 * {@code local} mode, so the global default registry would mix them), every series labelled
 * {@code server="S.I"}.
 *
 * <p>A node is not thread-safe, so the scraper never reads it: the server's actor hands over a
 * {@link Sample} at the end of each step ({@link #afterStep}) and scrapes read the latest one.
 * The node's counts are cumulative over its stored log, so a restarted server reports what its
 * new incarnation counted; a drop is a counter reset, which Prometheus expects of a restart.
 *
 * <p>{@link #requestArrived} and {@link #replySent} are called by the server's actor only.
 */
public final class NodeMetrics {
    /** Distinct clients timed at once; more are not timed rather than let the table grow (clients are authenticated, but not trusted). */
    static final int TIMED_CLIENTS_MAX = 4096;

    /** What a node has counted so far, read on the node's own thread. */
    public record Sample(long executedUpdates, long executedEvents, long localView, long wideView, boolean localLeader,
                         Map<Rejection, Long> rejections, long lmSignatures, long sharesMade, long proofsMade, long wideMessagesSent,
                         long linkChanges, long clinkSentOn, long clinkFallbacks, long clinkOrderedForOthers) {
        public Sample {
            rejections = rejections.isEmpty() ? Map.of() : new EnumMap<>(rejections);
        }

        /** A sample of a node that has not sent any client update on (CLink-Opt counts zero). */
        public Sample(long executedUpdates, long executedEvents, long localView, long wideView, boolean localLeader,
                      Map<Rejection, Long> rejections, long lmSignatures, long sharesMade, long proofsMade, long wideMessagesSent, long linkChanges) {
            this(executedUpdates, executedEvents, localView, wideView, localLeader, rejections, lmSignatures, sharesMade, proofsMade, wideMessagesSent,
                    linkChanges, 0, 0, 0);
        }

        public static final Sample EMPTY = new Sample(0, 0, 0, 0, false, Map.of(), 0, 0, 0, 0, 0);

        public static Sample of(ServerNode node) {
            var lm = node.logicalMachine();
            return new Sample(lm.executedUpdates(), lm.executedEvents(), node.localCore().view(), lm.wideCore().view(), node.localCore().isLeader(),
                    node.rejections(), node.lmSignatures(), node.sharesMade(), node.proofsMade(), node.wideMessagesSent(),
                    node.linkChanges(), node.forwardsSent(), node.forwardFallbacks(), node.forwardsOrdered());
        }
    }

    /** A client's latest request seen here: pending until its reply leaves, then only remembered so a retransmission is not timed. */
    private record Timed(long seq, long arrivedNanos, boolean replied) {}

    private final ServerId server;
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Labels serverLabel;
    private final Histogram requestSeconds;
    private volatile Sample last = Sample.EMPTY;
    private volatile LongSupplier framesDropped = () -> 0;
    private volatile LongSupplier connectionsRefused = () -> 0;
    private volatile LongSupplier cryptoBacklog = () -> 0;
    private volatile LongSupplier cryptoBacklogged = () -> 0;
    private volatile SiteMembers.View site = SiteMembers.View.OFF;
    private final Map<ClientId, Timed> timed = new HashMap<>(); // the actor's thread only; never iterated

    public NodeMetrics(ServerId server) {
        this.server = server;
        this.serverLabel = Labels.of("server", server.toString());
        counter("redoubt_executed_updates", "Client updates this server executed in global order", Sample::executedUpdates);
        counter("redoubt_executed_events", "Logical-machine events this server executed in global order (updates and others)", Sample::executedEvents);
        gauge("redoubt_local_view", "The view of the site's local ordering protocol at this server; view changes show as its growth", Sample::localView);
        gauge("redoubt_wide_view", "The view of the wide-area ordering protocol at this server's logical machine", Sample::wideView);
        gauge("redoubt_local_leader", "1 while this server leads its site's local ordering protocol, else 0", s -> s.localLeader() ? 1 : 0);
        counter("redoubt_lm_signatures", "Site signatures this server produced as forwarder (section 4.6)", Sample::lmSignatures);
        counter("redoubt_signature_shares", "Threshold partial signatures or certificate signatures this server computed", Sample::sharesMade);
        counter("redoubt_signature_share_proofs", "Proofs of correctness of partial signatures this server computed on request", Sample::proofsMade);
        counter("redoubt_wide_messages_sent", "Wide-area messages this server forwarded to other sites (section 4.4)", Sample::wideMessagesSent);
        counter("redoubt_link_changes", "Wide-area batches its logical machine sent again on the next virtual link (forwarder and peer) because the last attempt went unanswered",
                Sample::linkChanges);
        counter("redoubt_clink_sent_on", "Client updates this server sent on to a server of the leader site unordered (CLink-Opt, section 4.5)",
                Sample::clinkSentOn);
        counter("redoubt_clink_fallbacks", "Of those, updates not executed within clink.forward-timeout, which this server then ordered at home",
                Sample::clinkFallbacks);
        counter("redoubt_clink_ordered_for_others", "Updates of other sites' clients, sent on to this server, that it submitted for ordering here",
                Sample::clinkOrderedForOthers);
        CounterWithCallback.builder().name("redoubt_rejections").help("Inputs from other nodes or clients this server dropped, by reason")
                .constLabels(serverLabel).labelNames("reason").callback(cb -> {
                    Map<Rejection, Long> counts = last.rejections();
                    for (Rejection r : Rejection.values()) cb.call(counts.getOrDefault(r, 0L), r.name()); // every reason, zero too
                }).register(registry);
        CounterWithCallback.builder().name("redoubt_transport_frames_dropped").help("Frames the transport dropped because a connection's queue was full")
                .constLabels(serverLabel).callback(cb -> cb.call(framesDropped.getAsLong())).register(registry);
        CounterWithCallback.builder().name("redoubt_transport_connections_refused").help("Inbound connections the transport refused (unknown or unauthenticated peer)")
                .constLabels(serverLabel).callback(cb -> cb.call(connectionsRefused.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("redoubt_crypto_backlog").help("Offloaded crypto jobs waiting for room in this server's crypto pool")
                .constLabels(serverLabel).callback(cb -> cb.call(cryptoBacklog.getAsLong())).register(registry);
        CounterWithCallback.builder().name("redoubt_crypto_backlogged").help("Offloaded crypto jobs that found this server's crypto pool full and waited")
                .constLabels(serverLabel).callback(cb -> cb.call(cryptoBacklogged.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("redoubt_site_members")
                .help("Servers of this server's site it sees in the site's Pekko cluster: up, or unreachable (operations only; absent without a cluster)")
                .constLabels(serverLabel).labelNames("state").callback(cb -> {
                    SiteMembers.View v = site;
                    if (!v.clusterOn()) return;
                    cb.call(v.up().size(), "up");
                    cb.call(v.unreachable().size(), "unreachable");
                }).register(registry);
        this.requestSeconds = Histogram.builder().name("redoubt_client_request_seconds")
                .help("From a client's request reaching this server's actor to this server's reply leaving it (after the step's records are forced)")
                .constLabels(serverLabel).classicOnly().classicExponentialUpperBounds(0.001, 2, 16).register(registry);
    }

    private void counter(String name, String help, ToLongFunction<Sample> value) {
        CounterWithCallback.builder().name(name).help(help).constLabels(serverLabel).callback(cb -> cb.call(value.applyAsLong(last))).register(registry);
    }

    private void gauge(String name, String help, ToLongFunction<Sample> value) {
        GaugeWithCallback.builder().name(name).help(help).constLabels(serverLabel).callback(cb -> cb.call(value.applyAsLong(last))).register(registry);
    }

    public ServerId server() {
        return server;
    }

    /** The registry to expose ({@link MetricsServer}); it holds this server's metrics only. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** The node's counts after a step; the scraper sees them from now on. */
    public void afterStep(ServerNode node) {
        record(Sample.of(node));
    }

    public void record(Sample sample) {
        last = sample;
    }

    /** Where the transport's own counters are read (thread-safe counters, read at each scrape); a restarted server brings a new transport. */
    /** What the server's crypto pool reports: jobs waiting in its backlog now, and how many ever had to. */
    public void watchCrypto(LongSupplier backlog, LongSupplier backlogged) {
        this.cryptoBacklog = backlog;
        this.cryptoBacklogged = backlogged;
    }

    public void watchTransport(LongSupplier framesDropped, LongSupplier connectionsRefused) {
        this.framesDropped = framesDropped;
        this.connectionsRefused = connectionsRefused;
    }

    /** What the server now sees of its site's cluster; scrapes read it from now on. */
    public void siteMembers(SiteMembers.View view) {
        this.site = view;
    }

    /**
     * A frame from a client reached the server. A request with a sequence number above the last
     * one seen from that client starts its timer; anything else (a retransmission, marked or a
     * repeat, a malformed frame the node will reject) is not timed: a marked copy left the client
     * a timeout after the update began, so timing it here would leave that timeout out.
     */
    public void requestArrived(ClientId from, Bytes frame, long nowNanos) {
        if (Frame.tagOf(frame) != Frame.TAG_REQUEST) return;
        Frame.Request request;
        try {
            request = (Frame.Request) Frame.decode(frame);
        } catch (DecodeException e) {
            return; // the node rejects and counts it
        }
        if (!request.update().client().equals(from) || request.retransmit()) return;
        long seq = request.update().seq();
        Timed before = timed.get(from);
        if (before != null && seq <= before.seq()) return;
        if (before == null && timed.size() >= TIMED_CLIENTS_MAX) return;
        timed.put(from, new Timed(seq, nowNanos, false));
    }

    /** A reply left for {@code to}; if it answers that client's timed request, its latency is observed. */
    public void replySent(ClientId to, Bytes frame, long nowNanos) {
        Timed t = timed.get(to);
        if (t == null || t.replied()) return;
        Frame.Reply reply;
        try {
            reply = Frame.decodeReply(frame);
        } catch (DecodeException e) {
            return; // servers send clients only replies; measuring must never stop a server
        }
        if (reply.seq() != t.seq()) return;
        requestSeconds.observe((nowNanos - t.arrivedNanos()) / 1e9);
        timed.put(to, new Timed(t.seq(), t.arrivedNanos(), true));
    }
}
